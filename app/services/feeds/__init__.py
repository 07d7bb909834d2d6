"""The four government feeds and the publishing workflow and search index they share."""
