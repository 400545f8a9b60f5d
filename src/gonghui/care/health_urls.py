"""Health checks, rest and recuperation, retirees and the care summary."""

from django.urls import path

from . import health_views, rest_views, retiree_views, summary_views

urlpatterns = [
    path("health/", health_views.campaign_list, name="health_list"),
    path("health/mine/", health_views.mine, name="health_mine"),
    path("health/<int:pk>/", health_views.campaign_detail, name="health_campaign"),
    path("health/<int:pk>/schedule/", health_views.campaign_schedule, name="health_schedule"),
    path("health/<int:pk>/close/", health_views.campaign_close, name="health_close"),
    path(
        "health/<int:pk>/checks/<int:check_id>/mark/",
        health_views.check_mark,
        name="health_check_mark",
    ),
    path("rest/", rest_views.rotation_list, name="rest_list"),
    path("rest/<int:pk>/", rest_views.rotation_detail, name="rest_rotation"),
    path("rest/<int:pk>/nominate/", rest_views.rotation_nominate, name="rest_nominate"),
    path(
        "rest/<int:pk>/participants/<int:participant_id>/mark/",
        rest_views.participant_mark,
        name="rest_mark",
    ),
    path("retirees/", retiree_views.retiree_list, name="retiree_list"),
    path("retirees/visit-round/", retiree_views.visit_round, name="retiree_visit_round"),
    path("retirees/activities/new/", retiree_views.activity_new, name="retiree_activity_new"),
    path("summary/", summary_views.summary_page, name="summary"),
    path("summary/docx/", summary_views.summary_docx, name="summary_docx"),
]
