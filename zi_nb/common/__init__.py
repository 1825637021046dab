"""Shared by every room and depending on none: domain constants (:mod:`.domain`), text and Indonesian number
formatting (:mod:`.text`, :mod:`.fmt`), input limits, findings with their place (:mod:`.findings`), atomic file writes
(:mod:`.files`) and the files shipped inside the package (:mod:`.resources`)."""
