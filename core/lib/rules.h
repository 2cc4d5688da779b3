/*
** rules.h — the Lua host that runs a workflow's rules (filled in by the
** rules issue; until then a workflow's rules are stored but not run).
*/
#ifndef KANAL_RULES_H
#define KANAL_RULES_H

struct rules;

void rules_free(struct rules *r);

#endif
