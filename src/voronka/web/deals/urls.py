from django.urls import path

from voronka.web.deals import card, listing, processes, views

app_name = "deals"
urlpatterns = [
    path("", views.board, name="board"),
    path("list/", listing.deal_list, name="list"),
    path("stage/<int:stage_id>/cards/", views.column_more, name="column"),
    path("<int:pk>/", card.deal_card, name="card"),
    path("<int:pk>/move/", views.move, name="move"),
    path("<int:pk>/close/", card.close, name="close"),
    path("<int:pk>/comment/", card.comment, name="comment"),
    path("<int:pk>/processes/<slug:name>/", processes.process_start, name="process-start"),
]
