"""Tournament write use cases (flush, never commit), one module per aggregate:
tournaments (create/update/delete, co-organizers), lifecycle (state changes and the schedule
sweep), custom_fields, templates."""

from deltacrown.tournaments.services.custom_fields import (
    create_custom_field,
    delete_custom_field,
    update_custom_field,
)
from deltacrown.tournaments.services.freezing import set_frozen
from deltacrown.tournaments.services.lifecycle import (
    apply_scheduled_transitions,
    cancel_tournament,
    close_registration,
    open_registration,
    publish_tournament,
)
from deltacrown.tournaments.services.templates import (
    apply_template,
    create_template,
    delete_template,
    tournament_config,
    update_template,
)
from deltacrown.tournaments.services.tournaments import (
    add_organizer,
    create_tournament,
    delete_tournament,
    remove_organizer,
    unique_slug,
    update_tournament,
)

__all__ = [
    "add_organizer",
    "apply_scheduled_transitions",
    "apply_template",
    "cancel_tournament",
    "close_registration",
    "create_custom_field",
    "create_template",
    "create_tournament",
    "delete_custom_field",
    "delete_template",
    "delete_tournament",
    "open_registration",
    "publish_tournament",
    "remove_organizer",
    "set_frozen",
    "tournament_config",
    "unique_slug",
    "update_custom_field",
    "update_template",
    "update_tournament",
]
