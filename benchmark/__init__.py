"""Tooling around the portal, not part of it: ``make bench`` and ``make screenshots``.

``data`` loads a synthetic order book with COPY; ``inprocess`` times pages and
actions through the full middleware stack against a bare baseline view;
``load`` drives gunicorn over loopback; ``report`` prints and writes the results.
``chromium`` says how Debian's Chromium is started (screenshots, browser tests)
and ``net`` whether a broker or database answers.

The baseline view is routed at ``/_baseline/`` only with the ``BENCHMARK``
setting on; the ``bench`` command turns it on where it measures.
"""
