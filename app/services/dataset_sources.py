"""Where each publishable dataset's rows come from: one `register_row_source` per dataset.

The feeds (`tech_projects`, `enterprise_directory`, `cooperation_projects`,
`social_service_projects`) are listed in the schedule but answer `dataset_unavailable`
until a source is registered here, e.g.::

    register_row_source(Dataset.tech_projects, tech_projects.publication_rows)

where `publication_rows(session, publication)` yields the published items of the period
as dicts keyed by the dataset's columns (see `datasets.py`), in a stable order.
"""

from app.models.enums import Dataset
from app.services.datasets import register_row_source
from app.services.distribution_reports import frozen_rows

register_row_source(Dataset.student_distribution, frozen_rows)
