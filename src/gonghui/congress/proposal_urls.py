"""Proposal pages, in the ``congress`` namespace with names starting ``proposal_``."""

from django.urls import path

from . import proposal_views as v

urlpatterns = [
    path("proposals/", v.proposal_list, name="proposal_list"),
    path("proposals/inbox/", v.proposal_inbox, name="proposal_inbox"),
    path("proposals/counts/", v.proposal_counts, name="proposal_counts"),
    path("proposals/departments/", v.proposal_departments, name="proposal_departments"),
    path(
        "proposals/departments/<int:department_id>/handlers/",
        v.proposal_department_handlers,
        name="proposal_department_handlers",
    ),
    path("proposals/point-row/", v.proposal_point_row, name="proposal_point_row"),
    path(
        "proposals/attachments/<int:attachment_id>/",
        v.proposal_attachment,
        name="proposal_attachment",
    ),
    path("proposals/<int:proposal_id>/", v.proposal_detail, name="proposal_detail"),
    path("proposals/<int:proposal_id>/cosign/", v.proposal_cosign, name="proposal_cosign"),
    path("proposals/<int:proposal_id>/withdraw/", v.proposal_withdraw, name="proposal_withdraw"),
    path("proposals/<int:proposal_id>/review/", v.proposal_review, name="proposal_review"),
    path("proposals/<int:proposal_id>/reassign/", v.proposal_reassign, name="proposal_reassign"),
    path(
        "proposals/<int:proposal_id>/outstanding/",
        v.proposal_outstanding,
        name="proposal_outstanding",
    ),
    path("proposals/<int:proposal_id>/reply/", v.proposal_reply, name="proposal_reply"),
    path("proposals/<int:proposal_id>/rate/", v.proposal_rate, name="proposal_rate"),
    path("sessions/<int:session_id>/proposals/new/", v.proposal_submit, name="proposal_submit"),
    path(
        "sessions/<int:session_id>/proposals/report.docx",
        v.proposal_report_docx,
        name="proposal_report",
    ),
]
