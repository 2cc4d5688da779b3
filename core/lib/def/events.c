/*
** events.c — names of the event types and statuses (see kanal/events.h).
*/
#include <string.h>

#include "kanal/events.h"

static const struct {
    const char *name, *verb, *arg;
} events[KANAL_EV_COUNT] = {
#define X(e, name, verb, arg) [e] = { name, verb, arg },
    KANAL_EVENTS(X)
#undef X
};

static const char *const statuses[KANAL_STATUS_COUNT] = {
#define X(e, name) [e] = name,
    KANAL_STATUSES(X)
#undef X
};

const char *kanal_event_name(kanal_event_type t)
{
    return (unsigned)t < KANAL_EV_COUNT ? events[t].name : "?";
}

kanal_event_type kanal_event_type_of(const char *name)
{
    for (int t = 0; t < KANAL_EV_COUNT; t++)
        if (strcmp(events[t].name, name) == 0)
            return (kanal_event_type)t;
    return KANAL_EV_COUNT;
}

const char *kanal_event_verb(kanal_event_type t)
{
    return (unsigned)t < KANAL_EV_COUNT ? events[t].verb : NULL;
}

const char *kanal_event_arg(kanal_event_type t)
{
    return (unsigned)t < KANAL_EV_COUNT ? events[t].arg : NULL;
}

kanal_event_type kanal_event_of_verb(const char *verb)
{
    /* the first type with the verb: "set" starts a field_set */
    for (int t = 0; t < KANAL_EV_COUNT; t++)
        if (events[t].verb && strcmp(events[t].verb, verb) == 0)
            return (kanal_event_type)t;
    return KANAL_EV_COUNT;
}

const char *kanal_status_name(kanal_status s)
{
    return (unsigned)s < KANAL_STATUS_COUNT ? statuses[s] : "?";
}

kanal_status kanal_status_of(const char *name)
{
    for (int s = 0; s < KANAL_STATUS_COUNT; s++)
        if (strcmp(statuses[s], name) == 0)
            return (kanal_status)s;
    return KANAL_STATUS_COUNT;
}
