from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("new/", views.congress_new, name="new"),
    path("<int:congress_id>/", views.congress_detail, name="detail"),
    path("<int:congress_id>/rules/", views.ruleset, name="ruleset"),
    path("<int:congress_id>/terms/new/", views.term_new, name="term_new"),
    path("terms/<int:term_id>/end/", views.term_end, name="term_end"),
    path("terms/<int:term_id>/sessions/new/", views.session_new, name="session_new"),
    path("terms/<int:term_id>/roster/", views.roster, name="roster"),
    path("terms/<int:term_id>/roster/confirm/", views.roster_confirm, name="roster_confirm"),
    path("terms/<int:term_id>/roster.xlsx", views.roster_export, name="roster_export"),
    path("terms/<int:term_id>/delegations/", views.delegation_new, name="delegation_new"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/edit/", views.session_edit, name="session_edit"),
    path("sessions/<int:session_id>/officers/", views.officer_add, name="officer_add"),
    path("sessions/<int:session_id>/items/", views.item_add, name="item_add"),
    path("items/<int:item_id>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:item_id>/move/<str:direction>/", views.item_move, name="item_move"),
    path("items/<int:item_id>/documents/new/", views.document_new, name="document_new"),
    path("documents/<int:document_id>/", views.document_detail, name="document"),
    path("documents/<int:document_id>/versions/", views.version_add, name="version_add"),
    path("documents/<int:document_id>/adopt/", views.document_adopt, name="document_adopt"),
    path("versions/<int:version_id>/file/", views.version_file, name="version_file"),
    path("delegations/<int:delegation_id>/", views.delegation_detail, name="delegation"),
    path("delegations/<int:delegation_id>/elect/", views.delegate_elect, name="delegate_elect"),
    path("delegates/<int:delegate_id>/replace/", views.delegate_replace, name="delegate_replace"),
    path("delegates/<int:delegate_id>/end/", views.delegate_end, name="delegate_end"),
    path("unions/<int:union_id>/people/", views.people, name="people"),
]
