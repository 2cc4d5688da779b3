/*
** fields.h — typed field values (def layer).
*/
#ifndef KANAL_DEF_FIELDS_H
#define KANAL_DEF_FIELDS_H

#include "base/base.h"
#include "kanal/datetime.h"
#include "kanal/text.h"
#include "kanal/workflow.h"

/*
** Checks text against a field's type and bounds and writes its canonical form
** into out (caller frees). KANAL_EINVALID with a message naming the field.
*/
int def_field_value_parse(const kanal_field_def *f, const char *text, char **out,
                          kanal_error *err);

#endif
