"""Redacted PDF copies of PDFs and scans, and the checks that prove nothing masked is left.

The route (README, "Release"): every page of a document to be published with masks is
rasterised (pypdfium2) or taken from the scan, opaque boxes are burned into its pixels where the
masked characters are drawn (text-layer character boxes for born-digital pages, OCR character
boxes for scanned ones), and the page is rebuilt as that image under an invisible text layer
made from the *masked* text. Nothing of the original page's content stream, fonts, annotations,
attachments or metadata is carried over, so there is no hidden text to leave behind.

Modules: ``locate`` (which characters of the stored text sit where on the page), ``pages``
(reading a source page by page, memory bounded per page), ``pdfwrite`` (the streaming writer),
``redact`` (one document), ``verify`` (re-extraction of the output: text layer and OCR).
This package does not touch the database: ``review_app.store.release`` decides what is masked.
"""
