"""Where each publishable dataset's rows come from: one `register_row_source` per dataset.

A source is `(session, publication) -> Iterable[Mapping]`: the rows to freeze, keyed by
the dataset's columns (see `datasets.py`), in a stable order.
"""

from app.models.enums import Dataset
from app.services.distribution.reports import frozen_rows
from app.services.feeds import (
    cooperation_projects,
    enterprises,
    social_service_projects,
    tech_projects,
)
from app.services.feeds.workflow import publication_rows
from app.services.publications.datasets import register_row_source

register_row_source(Dataset.student_distribution, frozen_rows)
register_row_source(Dataset.tech_projects, publication_rows(tech_projects.FEED))
register_row_source(Dataset.enterprise_directory, publication_rows(enterprises.FEED))
register_row_source(Dataset.cooperation_projects, publication_rows(cooperation_projects.FEED))
register_row_source(Dataset.social_service_projects, publication_rows(social_service_projects.FEED))
