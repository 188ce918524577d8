"""Who acts: agencies (any organisation), officials and the posts they hold."""

from django.contrib import admin

from cooperation.models import Agency, Official, Post

from .base import CitedAdmin, PartInline, joined
from .filters import resource_filters


@admin.register(Agency)
class AgencyAdmin(CitedAdmin):
    list_display = ("name", "acronym", "kind", "country", "parent")
    list_select_related = ("country", "parent")
    list_filter = resource_filters(Agency)
    search_fields = ("name", "acronym", "other_names", "search_names", "country__name")
    autocomplete_fields = ("country", "parent")
    fieldsets = (
        (None, {"fields": (("name", "acronym"), "kind", ("country", "parent"), "other_names", "website")}),
        ("About", {"fields": ("description",)}),
    )


class PostInline(PartInline):
    """The posts of an official. A post is a fact of its own: cite it on its page (the link on each row)."""

    model = Post
    fields = ("agency", "title", "start", "start_edtf", "end", "end_edtf", "note")
    autocomplete_fields = ("agency",)
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agency")


@admin.register(Official)
class OfficialAdmin(CitedAdmin):
    list_display = ("name", "country", "post_list")
    list_select_related = ("country",)
    list_filter = resource_filters(Official)
    search_fields = ("name", "other_names", "search_names", "country__name", "posts__title", "posts__agency__name")
    autocomplete_fields = ("country",)
    fieldsets = ((None, {"fields": ("name", "country", "other_names", "description")}),)
    inlines = (PostInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("posts__agency")

    @admin.display(description="posts")
    def post_list(self, official: Official) -> str:
        return joined([f"{post.title}, {post.agency}" for post in official.posts.all()], limit=2)


@admin.register(Post)
class PostAdmin(CitedAdmin):
    list_display = ("official", "title", "agency", "start", "end")
    list_select_related = ("official", "agency")
    list_filter = resource_filters(Post, "agency")
    search_fields = ("official__name", "title", "agency__name", "agency__acronym", "note")
    autocomplete_fields = ("official", "agency")
    fieldsets = ((None, {"fields": ("official", "title", "agency", "note")}),)
