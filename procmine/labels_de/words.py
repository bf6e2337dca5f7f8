"""Which words mark an export's step name as English: the one word list the report's naming rule reads.

The report shows each step under the office's own name where that name is readable German, and the
German catalogue name where the export names the step by a code or in English (``report.cells``).
English is told by this vocabulary: the words of English process-mining and case-management exports
(every word of the catalogue's English keys among them, ``tests/test_naming.py`` checks it), plus
function words. Words German uses as well ("Status", "Register", "Check-in", "Team") are listed apart
and count for neither language.
"""

from __future__ import annotations

ENGLISH_WORDS: frozenset[str] = frozenset("""
a about accept accepted account advice activity add added adjust adjusted after agency all and appearance application applied
apply appointment approval approve approved archive archived assessed assign assigned at authorisation authorization
be before biometrics book booked by call called cancel cancelled canceled captured card case cases certificate change
changed check checked close closed collect collected complete completed completeness confirm confirmation confirmed
consent consulted contact create created customer data date decide decided decision declined determine determined draft deemed delete deleted
deliver delivered denied detail details document documents done eat end ended entered escalate escalated evaluate
evaluated examine examined expiry extend extended external fee fiction file filed fill final finish finished first for form forward
forwarded from get give given granted guarantee handed handled handover hearing hold identity inform informed inquiry internal
issue issued item last legal letter mail make missing more new no not notify notified of on open opened order
ordered other out over paid paper party pay payment pending perform performed place placed prepare prepared print printed
process processed receipt reason reasons receive received recognition record recorded refused register registered reject rejected
reminder remedy reopen reopened reply report reported request requested resolve resolved response return returned review reviewed
scan scanned schedule scheduled second security send sent show sign signed started stop stopped submit submitted the
to transfer transferred type update updated upload uploaded validate validated verify verified visa wait waiting with
withdraw withdrawn work
""".split())

# words German uses too: they count for neither language (``Servicepoint-Kontakt`` is German,
# ``Servicepoint contact`` English)
SHARED_WORDS: frozenset[str] = frozenset("""
ba check details final form in info mail online portal register scan service servicepoint start status team ticket
update upload
""".split())
