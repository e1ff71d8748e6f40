"""Sharing: link previews (OpenGraph / Twitter metadata and a 1200x630 card with the
bracket), the sitemap and robots.txt for search engines."""
