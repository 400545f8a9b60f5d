"""Opinion pages, in the ``congress`` namespace with names starting ``opinion_``."""

from django.urls import URLPattern, path

from . import opinion_views as v

urlpatterns: list[URLPattern] = [
    path("opinions/", v.opinion_list, name="opinion_list"),
    path("opinions/export.xlsx", v.opinion_export, name="opinion_export"),
    path("opinions/new/", v.opinion_record, name="opinion_record"),
    path("opinions/take-over/", v.opinion_take_over, name="opinion_take_over"),
    path("opinions/submit/", v.opinion_submit, name="opinion_submit"),
    path("opinions/mine/", v.opinion_mine, name="opinion_mine"),
    path("opinions/stats/", v.opinion_stats, name="opinion_stats"),
    path("opinions/quota/", v.opinion_quota, name="opinion_quota"),
    path("opinions/counts/", v.opinion_counts, name="opinion_counts"),
    path("opinions/<int:opinion_id>/", v.opinion_detail, name="opinion_detail"),
    path("opinions/<int:opinion_id>/assign/", v.opinion_assign, name="opinion_assign"),
    path("opinions/<int:opinion_id>/answer/", v.opinion_answer, name="opinion_answer"),
    path("opinions/<int:opinion_id>/close/", v.opinion_close, name="opinion_close"),
    path("opinions/<int:opinion_id>/assess/", v.opinion_assess, name="opinion_assess"),
    path("opinions/<int:opinion_id>/adopt/", v.opinion_adopt, name="opinion_adopt"),
    path("opinions/<int:opinion_id>/reward/", v.opinion_reward, name="opinion_reward"),
]
