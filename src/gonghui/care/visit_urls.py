from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("report/", views.event_report, name="event_report"),
    path("report/members/", views.report_members, name="report_members"),
    path("tasks/", views.task_list, name="tasks"),
    path("tasks/<int:task_id>/cancel/", views.task_cancel, name="task_cancel"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/photos/<int:photo_id>/", views.visit_photo, name="visit_photo"),
    path("members/<int:member_id>/", views.member_history, name="member_history"),
    path("mine/", views.my_care, name="my_care"),
    path("counts/", views.counts, name="counts"),
    path("settings/", views.settings_page, name="settings"),
    path("settings/<int:union_id>/province/", views.settings_province, name="settings_province"),
    path("settings/<int:union_id>/caps/", views.settings_cap, name="settings_cap"),
    path("settings/<int:union_id>/rules/<str:kind>/", views.settings_rule, name="settings_rule"),
]
