"""URLs of the congress app: one module per area (setup, meeting, proposals), so each
reads on its own; this file only joins them under one namespace."""

from . import (
    appraisal_urls,
    disclosure_urls,
    meeting_urls,
    opinion_urls,
    proposal_urls,
    setup_urls,
)

app_name = "congress"
urlpatterns = (
    setup_urls.urlpatterns
    + meeting_urls.urlpatterns
    + proposal_urls.urlpatterns
    + disclosure_urls.urlpatterns
    + opinion_urls.urlpatterns
    + appraisal_urls.urlpatterns
)
