/*
** yamltree.h — a YAML document as a small tree with 1-based positions.
**
** Built from libyaml's event stream. The builder refuses what a definition
** must not hold (anchors, aliases, tags, several documents, duplicate keys,
** tabs in indentation) and reports each refusal as a diagnostic at its
** position. All nodes live in the caller's arena.
*/
#ifndef KANAL_YAMLTREE_H
#define KANAL_YAMLTREE_H

#include "base/base.h"

typedef enum ynode_kind {
    YNODE_SCALAR,
    YNODE_MAP,
    YNODE_SEQ,
    YNODE_BAD /* an alias, already reported: checks skip it silently */
} ynode_kind;

typedef struct ynode {
    ynode_kind kind;
    int line, col;          /* 1-based, in characters */
    const char *text;       /* scalars: the value, NUL-terminated */
    size_t len;
    bool plain;             /* scalars: unquoted, so may be a number or bool */
    struct ynode **kids;    /* sequences: n items; maps: n pairs, key then value */
    size_t n;
} ynode;

/* Maps: the i-th key and value. */
#define YKEY(m, i) ((m)->kids[2 * (i)])
#define YVAL(m, i) ((m)->kids[2 * (i) + 1])

/*
** Parses the one document in text (which must be valid UTF-8). Returns the
** root, or NULL when the text holds no usable document; every problem is
** added to d. A non-NULL root may come with diagnostics too (a duplicate key,
** an anchor): the tree is still worth checking for more errors.
*/
ynode *def_ytree_parse(kanal_arena *a, const char *text, size_t len, const char *file,
                       kanal_diags *d);

/* A plain scalar that YAML reads as null: empty, "~" or "null". */
bool def_ynode_is_null(const ynode *n);

/* "a mapping", "a list", "text", "nothing": for "found ..." messages. */
const char *def_ynode_kind_name(const ynode *n);

#endif
