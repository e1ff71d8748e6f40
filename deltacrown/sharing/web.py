"""Files for search engines at the site's root: `/robots.txt` and the sitemap
(`/sitemap.xml`, an index of `/sitemaps/<kind>-<n>.xml` files of at most 50,000 URLs each:
public tournaments, then public player profiles)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from flask import Blueprint, Response, abort, request

from deltacrown.sharing import services

bp = Blueprint("sharing_web", __name__)

XML = "application/xml"
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
KINDS = ("tournaments", "players")


def _xml(body: str) -> Response:
    response = Response('<?xml version="1.0" encoding="UTF-8"?>\n' + body, mimetype=XML)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/robots.txt")
def robots() -> Response:
    root = request.url_root.rstrip("/")
    lines = [
        "User-agent: *",
        "Allow: /api/tournaments/",
        "Allow: /api/users/",
        "Disallow: /admin/",
        "Disallow: /api/admin/",
        "Disallow: /api/me/",
        "Disallow: /api/auth/",
        "Disallow: /media/",
        f"Sitemap: {root}/sitemap.xml",
    ]
    response = Response("\n".join(lines) + "\n", mimetype="text/plain")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/sitemap.xml")
def sitemap_index() -> Response:
    root = request.url_root.rstrip("/")
    entries = "".join(
        f"<sitemap><loc>{escape(f'{root}/sitemaps/{kind}-{page}.xml')}</loc></sitemap>"
        for kind, page in services.sitemap_pages()
    )
    return _xml(f'<sitemapindex xmlns="{NS}">{entries}</sitemapindex>\n')


@bp.get("/sitemaps/<kind>-<int:page>.xml")
def sitemap_page(kind: str, page: int) -> Response:
    if kind not in KINDS or page < 1:
        abort(404)
    entries = services.sitemap_entries(kind, page)
    if not entries and page > 1:
        abort(404)
    urls = "".join(
        f"<url><loc>{escape(url)}</loc>"
        + (f"<lastmod>{modified:%Y-%m-%d}</lastmod>" if modified else "")
        + "</url>"
        for url, modified in entries
    )
    return _xml(f'<urlset xmlns="{NS}">{urls}</urlset>\n')
