from django.urls import path

from voronka.web.leads import attachments, card, convert, inline, views

app_name = "leads"
urlpatterns: list = [
    path("", views.inbox, name="inbox"),
    path("poll/", views.inbox_poll, name="poll"),
    path("bulk/", views.bulk, name="bulk"),
    path("<int:pk>/", card.card, name="card"),
    path("<int:pk>/field/<str:name>/", inline.field_edit, name="field"),
    path("<int:pk>/comment/", card.comment, name="comment"),
    path("<int:pk>/status/", card.status_change, name="status"),
    path("<int:pk>/junk/", card.junk, name="junk"),
    path("<int:pk>/assign/", card.assign, name="assign"),
    path("<int:pk>/convert/", convert.convert, name="convert"),
    path("attachments/<int:event_id>/<int:pk>/", attachments.attachment_download,
         name="attachment"),
]
