from django.urls import include, path

from . import views

app_name = "members"

urlpatterns = [
    path("", views.member_list, name="list"),
    path("export.xlsx", views.member_export, name="export"),
    path("new/", views.member_new, name="new"),
    path("<int:member_id>/", views.member_detail, name="detail"),
    path("<int:member_id>/edit/", views.member_edit, name="edit"),
    path("<int:member_id>/reveal/", views.member_reveal, name="reveal"),
    path("<int:member_id>/lifecycle/<str:step>/", views.member_lifecycle, name="lifecycle"),
    path("approvals/", views.approvals, name="approvals"),
    path(
        "approvals/member/<int:member_id>/", views.approve_application, name="approve_application"
    ),
    path("approvals/change/<int:request_id>/", views.decide_change, name="decide_change"),
    path("me/", views.my_profile, name="my_profile"),
    path("me/reveal/", views.my_reveal, name="my_reveal"),
    path("transfer-in/", views.transfer_in, name="transfer_in"),
    path("import/", include("gonghui.members.import_urls")),
]
