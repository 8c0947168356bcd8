"""Importing the old discussion group: read archives, thread, match people, load, report.

read (mbox, takeout, yahoo, pipermail, eml, groupsio; auto recognises them) -> parse ->
threads (two passes, order-independent) -> people (members or placeholder authors) ->
load (batches, provenance in imported_messages, idempotent per board) -> report.
`run.run_import` chains them for the command line and the administration page.
Attachments go through `attachments.AttachmentSink` (pending until the file library exists).
"""
