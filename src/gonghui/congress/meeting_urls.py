"""Running a session: the desk, the projector screen, the delegate's phone page, votes and
minutes. Under ``meeting/<session>/`` so they never collide with the setup pages."""

from django.urls import URLPattern, path

from . import meeting_views as v

urlpatterns: list[URLPattern] = [
    path("meeting/<int:session_id>/checkin/", v.checkin, name="checkin"),
    path(
        "meeting/<int:session_id>/checkin/<int:delegate_id>/mark/",
        v.checkin_mark,
        name="checkin_mark",
    ),
    path(
        "meeting/<int:session_id>/checkin/<int:delegate_id>/undo/",
        v.checkin_undo,
        name="checkin_undo",
    ),
    path("meeting/<int:session_id>/open/", v.session_open, name="session_open"),
    path("meeting/<int:session_id>/close/", v.session_close, name="session_close"),
    path("meeting/<int:session_id>/screen/", v.screen, name="screen"),
    path("meeting/<int:session_id>/delegate/", v.delegate, name="delegate"),
    path("meeting/<int:session_id>/items/<int:item_id>/vote/open/", v.vote_open, name="vote_open"),
    path(
        "meeting/<int:session_id>/items/<int:item_id>/vote/close/",
        v.vote_close,
        name="vote_close",
    ),
    path("meeting/<int:session_id>/items/<int:item_id>/vote/", v.vote_cast, name="vote_cast"),
    path("meeting/<int:session_id>/minutes/", v.minutes, name="minutes"),
    path("meeting/<int:session_id>/minutes.docx", v.minutes_docx_download, name="minutes_docx"),
]
