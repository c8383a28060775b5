"""The vocabulary of the routing table (organisations.NoticeRoute): routing topics and their subjects.

The notifications app declares them (its rules name the topics) when it is ready (notifications.apps), so
the directory can offer them in forms and labels without importing the app above it. Only labels and
allowed values live here; which rule uses which topic, and the default unit per topic, are the rules'.
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class RoutingTopic:
    value: str
    label: str
    # (value, label) pairs a line may be narrowed by (e.g. a benefit); empty: the topic takes no subject.
    subjects: tuple[tuple[str, str], ...] = field(default=())
    help_text: str = ""


_TOPICS: dict[str, RoutingTopic] = {}


def register_topic(topic: RoutingTopic) -> None:
    _TOPICS[topic.value] = topic


def routing_topics() -> list[RoutingTopic]:
    return list(_TOPICS.values())


def routing_topic(value: str) -> RoutingTopic | None:
    return _TOPICS.get(value)


def route_condition_label(topic: str, subject: str = "") -> str:
    """E.g. "Ydelser, når borgeren modtager kontanthjælp", or the topic alone."""
    found = _TOPICS.get(topic)
    label = found.label if found else topic
    if subject:
        subject_label = dict(found.subjects).get(subject, subject) if found else subject
        return f"{label}, når borgeren modtager {subject_label.lower()}"
    return label
