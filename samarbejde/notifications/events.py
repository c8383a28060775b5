"""What another app hands to notifications when something happened that may call for notices.

The sending app (custody today; action plans, § 808 requests, release meetings later) builds a NoticeEvent
inside its own transaction and calls notifications.services.notices_send(event). Notifications never imports
the sender: the source and thread are plain model instances it stores generically, and `facts` are JSON values
(codes, dates as ISO text, small dicts) that the rules read and the snapshots quote.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class NoticeEvent:
    """One thing that happened, as notifications needs to know it.

    - `kind`: the trigger, "<app>.<event>" (e.g. "custody.admission"); notifications.rules maps it to rules.
    - `person`: the subject the notices are about (people.Person).
    - `source`: the record of the event (e.g. custody.EpisodeEvent): each notice points at it.
    - `thread`: the matter it belongs to (e.g. custody.Episode): the notices of one thread see each other.
    - `sender`: the organisation that tells (organisations.Organisation), e.g. the institution holding the person.
    - `occurred_at`: when it happened (deadlines count from its date).
    - `facts`: what the rules and the snapshots need (see notifications.registry SNAPSHOT_FIELDS and
      rules.PersonSituation.from_facts for the names).
    - `acting_user`: who registered it (audited; addressee of escalations with the sender's leaders).
    - `reason`: for a correction, why (shown with the withdrawals it causes).
    - `ends_thread`: the matter is over (e.g. the release ends the stay): the recipients' live links to the
      person start to run out (people.link_rules SETTLED_AFTER_END and MAX_AFTER_END).
    """

    kind: str
    person: Any
    source: Any
    thread: Any
    sender: Any
    occurred_at: datetime
    acting_user: Any
    facts: Mapping[str, Any] = field(default_factory=dict)
    reason: str = ""
    ends_thread: bool = False
