"""Post admin forms as a browser does: what the page holds, plus what the analyst typed."""

from django.urls import reverse

CITATIONS = "cooperation-citation-content_type-object_id"  # the prefix of the generic citation inline


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response) -> dict:
    """Every value an admin add/change page would send back untouched, management forms included."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    return data


def post_form(client, url: str, typed: dict):
    """Open the form at ``url`` and save it with the ``typed`` values, by field name (``parties-0-country``)."""
    data = form_data(client.get(url))
    data.update(typed)
    return client.post(url, data)


def inline_formset(response, prefix: str):
    """The formset of one inline on a rendered admin form, by its prefix (``parties``, ``CITATIONS``)."""
    return next(
        inline.formset for inline in response.context["inline_admin_formsets"] if inline.formset.prefix == prefix
    )
