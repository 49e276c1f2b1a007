"""The citizen survey (``/kiosk/<token>``, ``/survey/<office>``) and its one-time QR slips.

A counter tablet reaches the survey through its own secret kiosk link; a citizen's phone through
a one-time code printed on a slip (``flask qr-sheet``).
"""
