"""Donation drives and mutual-aid insurance (care namespace)."""

from django.urls import URLPattern, path

from . import donation_views as d
from . import insurance_views as i

urlpatterns: list[URLPattern] = [
    path("donations/", d.donation_drive_list, name="donation_drive_list"),
    path("donations/new/", d.donation_drive_new, name="donation_drive_new"),
    path("donations/counts/", d.donation_counts, name="donation_counts"),
    path("donations/<int:pk>/", d.donation_drive_detail, name="donation_drive_detail"),
    path("donations/<int:pk>/close/", d.donation_drive_close, name="donation_drive_close"),
    path("donations/<int:pk>/entry/", d.donation_entry, name="donation_entry"),
    path("donations/<int:pk>/uses/new/", d.donation_use_new, name="donation_use_new"),
    path("donations/<int:pk>/thanks/", d.donation_thanks, name="donation_thanks"),
    path("donations/<int:pk>/donations.xlsx", d.donation_export, name="donation_export"),
    path("insurance/", i.insurance_plan_list, name="insurance_plan_list"),
    path("insurance/new/", i.insurance_plan_new, name="insurance_plan_new"),
    path("insurance/mine/", i.insurance_mine, name="insurance_mine"),
    path("insurance/claims/", i.insurance_claim_list, name="insurance_claim_list"),
    path("insurance/<int:pk>/", i.insurance_plan_detail, name="insurance_plan_detail"),
    path("insurance/<int:pk>/enrol/", i.insurance_enrol, name="insurance_enrol"),
    path(
        "insurance/<int:pk>/enrolments.xlsx",
        i.insurance_enrolment_export,
        name="insurance_enrolment_export",
    ),
    path(
        "insurance/enrolments/<int:enrolment_id>/claim/",
        i.insurance_claim_new,
        name="insurance_claim_new",
    ),
    path("insurance/claims/<int:pk>/", i.insurance_claim_detail, name="insurance_claim_detail"),
    path(
        "insurance/claims/<int:pk>/decide/",
        i.insurance_claim_decide,
        name="insurance_claim_decide",
    ),
    path(
        "insurance/claims/<int:pk>/documents/<int:index>/",
        i.insurance_claim_document,
        name="insurance_claim_document",
    ),
]
