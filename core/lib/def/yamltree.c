/*
** yamltree.c — builds a ynode tree from libyaml's events, without recursion
** (a deeply nested file cannot exhaust the C stack).
*/
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "kanal/workflow.h"
#include "def/yamltree.h"

typedef struct open_node {
    ynode *node;
    ynode **kids;
    size_t n, cap;
} open_node;

typedef struct builder {
    kanal_arena *arena;
    const char *file;
    kanal_diags *d;
    open_node *stack;
    size_t depth, cap;
    ynode *root;
    bool oom;
    /* Lines [first+1, last] of multi-line scalars, where leading tabs are
       content, not indentation. */
    int (*spans)[2];
    size_t n_spans, cap_spans;
} builder;

static ynode *new_node(builder *b, ynode_kind kind, const yaml_mark_t *m)
{
    ynode *n = kanal_arena_alloc(b->arena, sizeof *n);
    if (!n) {
        b->oom = true;
        return NULL;
    }
    n->kind = kind;
    n->line = (int)m->line + 1;
    n->col = (int)m->column + 1;
    return n;
}

static void add_kid(builder *b, ynode *kid)
{
    if (!kid)
        return;
    if (b->depth == 0) {
        if (!b->root)
            b->root = kid;
        return;
    }
    open_node *o = &b->stack[b->depth - 1];
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 8;
        ynode **p = realloc(o->kids, cap * sizeof *p);
        if (!p) {
            b->oom = true;
            return;
        }
        o->kids = p;
        o->cap = cap;
    }
    o->kids[o->n++] = kid;
}

static void push(builder *b, ynode *n)
{
    if (!n)
        return;
    if (b->depth == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 16;
        open_node *p = realloc(b->stack, cap * sizeof *p);
        if (!p) {
            b->oom = true;
            return;
        }
        b->stack = p;
        b->cap = cap;
    }
    b->stack[b->depth++] = (open_node){ n, NULL, 0, 0 };
}

static int cmp_keys(const void *x, const void *y)
{
    const ynode *a = *(ynode *const *)x, *b = *(ynode *const *)y;
    int c = strcmp(a->text, b->text);
    if (c)
        return c;
    return (a->line != b->line) ? (a->line < b->line ? -1 : 1) : (a->col < b->col ? -1 : a->col > b->col);
}

/* Reports keys that repeat in one mapping, each at its later place. */
static void check_duplicate_keys(builder *b, ynode *map)
{
    if (map->n < 2)
        return;
    ynode **keys = malloc(map->n * sizeof *keys);
    if (!keys) {
        b->oom = true;
        return;
    }
    size_t k = 0;
    for (size_t i = 0; i < map->n; i++)
        if (YKEY(map, i)->kind == YNODE_SCALAR)
            keys[k++] = YKEY(map, i);
    qsort(keys, k, sizeof *keys, cmp_keys);
    for (size_t i = 1; i < k; i++) {
        size_t first = i - 1;
        while (i < k && strcmp(keys[i]->text, keys[first]->text) == 0) {
            kanal_diags_add(b->d, b->file, keys[i]->line, keys[i]->col,
                            "duplicate key '%s' (first at line %d)", keys[i]->text,
                            keys[first]->line);
            i++;
        }
    }
    free(keys);
}

static void pop(builder *b)
{
    open_node o = b->stack[--b->depth];
    ynode *n = o.node;
    if (n->kind == YNODE_MAP) {
        /* An odd count cannot come from a well-formed event stream; drop the
           dangling key rather than read past the array. */
        o.n &= ~(size_t)1;
    }
    if (o.n) {
        n->kids = kanal_arena_alloc(b->arena, o.n * sizeof *n->kids);
        if (n->kids)
            memcpy(n->kids, o.kids, o.n * sizeof *n->kids);
        else
            b->oom = true;
    }
    n->n = n->kind == YNODE_MAP ? o.n / 2 : o.n;
    free(o.kids);
    if (n->kind == YNODE_MAP) {
        for (size_t i = 0; i < n->n; i++) {
            ynode *key = YKEY(n, i);
            if (key->kind == YNODE_MAP || key->kind == YNODE_SEQ)
                kanal_diags_add(b->d, b->file, key->line, key->col,
                                "a key must be plain text, not %s", def_ynode_kind_name(key));
        }
        check_duplicate_keys(b, n);
    }
    add_kid(b, n);
}

static void refuse_anchor(builder *b, const yaml_char_t *anchor, const yaml_char_t *tag,
                          const yaml_mark_t *m)
{
    if (anchor)
        kanal_diags_add(b->d, b->file, (int)m->line + 1, (int)m->column + 1,
                        "anchors and aliases are not allowed: write the value out in full");
    if (tag) {
        /* libyaml hands the tag resolved; show it the way it was written */
        static const char yaml_prefix[] = "tag:yaml.org,2002:";
        const char *t = (const char *)tag;
        bool core = strncmp(t, yaml_prefix, sizeof yaml_prefix - 1) == 0;
        kanal_diags_add(b->d, b->file, (int)m->line + 1, (int)m->column + 1,
                        "YAML tags ('%s%s') are not allowed", core ? "!!" : "",
                        core ? t + sizeof yaml_prefix - 1 : t);
    }
}

static void note_span(builder *b, const yaml_event_t *ev)
{
    int first = (int)ev->start_mark.line + 1, last = (int)ev->end_mark.line + 1;
    if (last <= first)
        return;
    if (b->n_spans == b->cap_spans) {
        size_t cap = b->cap_spans ? b->cap_spans * 2 : 8;
        int(*p)[2] = realloc(b->spans, cap * sizeof *p);
        if (!p) {
            b->oom = true;
            return;
        }
        b->spans = p;
        b->cap_spans = cap;
    }
    b->spans[b->n_spans][0] = first;
    b->spans[b->n_spans][1] = last;
    b->n_spans++;
}

static bool in_span(const builder *b, int line)
{
    for (size_t i = 0; i < b->n_spans; i++)
        if (line > b->spans[i][0] && line <= b->spans[i][1])
            return true;
    return false;
}

/*
** The column (1-based, in characters) of the first tab in the indentation of
** the given line, or 0 when its indentation has none or the line is blank.
*/
static int leading_tab(const char *text, size_t len, int line)
{
    size_t i = 0;
    for (int l = 1; l < line && i < len; i++)
        if (text[i] == '\n')
            l++;
    int col = 0, tab = 0;
    for (; i < len && (text[i] == ' ' || text[i] == '\t'); i++) {
        col++;
        if (text[i] == '\t' && !tab)
            tab = col;
    }
    if (i >= len || text[i] == '\n' || text[i] == '\r' || text[i] == '#')
        return 0;
    return tab;
}

static void check_tabs(builder *b, const char *text, size_t len)
{
    int line = 1;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n') {
            if (!in_span(b, line)) {
                int col = leading_tab(text + start, i - start, 1);
                if (col)
                    kanal_diags_add(b->d, b->file, line, col,
                                    "tab character in indentation (indent with spaces)");
            }
            line++;
            start = i + 1;
        }
    }
}

ynode *def_ytree_parse(kanal_arena *a, const char *text, size_t len, const char *file,
                       kanal_diags *d)
{
    builder b = { .arena = a, .file = file, .d = d };
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        d->oom = true;
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING);

    int documents = 0;
    bool failed = false, done = false;
    while (!done && !b.oom) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            failed = true;
            if (parser.error == YAML_MEMORY_ERROR) {
                /* not the file's fault: said as such, never as a syntax error */
                d->oom = true;
                break;
            }
            int line = (int)parser.problem_mark.line + 1;
            int col = (int)parser.problem_mark.column + 1;
            if (parser.context && parser.problem_mark.index >= len) {
                /* past the end of the file: point at what was left open */
                line = (int)parser.context_mark.line + 1;
                col = (int)parser.context_mark.column + 1;
            }
            int tab = leading_tab(text, len, line);
            if (tab) {
                kanal_diags_add(d, file, line, tab,
                                "tab character in indentation (indent with spaces)");
            } else if (parser.context) {
                kanal_diags_add(d, file, line, col,
                                "invalid YAML: %s (%s at line %d, column %d)",
                                parser.problem ? parser.problem : "syntax error",
                                parser.context, (int)parser.context_mark.line + 1,
                                (int)parser.context_mark.column + 1);
            } else {
                kanal_diags_add(d, file, line, col, "invalid YAML: %s",
                                parser.problem ? parser.problem : "syntax error");
            }
            break;
        }
        const yaml_mark_t *m = &ev.start_mark;
        switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1) {
                kanal_diags_add(d, file, (int)m->line + 1, (int)m->column + 1,
                                "more than one YAML document: a file holds one workflow");
                done = true;
            }
            break;
        case YAML_SCALAR_EVENT: {
            refuse_anchor(&b, ev.data.scalar.anchor, ev.data.scalar.tag, m);
            ynode *n = new_node(&b, YNODE_SCALAR, m);
            if (n) {
                n->text = kanal_arena_strndup(a, (const char *)ev.data.scalar.value,
                                              ev.data.scalar.length);
                n->len = ev.data.scalar.length;
                n->plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
                if (!n->text)
                    b.oom = true;
            }
            note_span(&b, &ev);
            add_kid(&b, n);
            break;
        }
        case YAML_ALIAS_EVENT:
            refuse_anchor(&b, ev.data.alias.anchor, NULL, m);
            add_kid(&b, new_node(&b, YNODE_BAD, m));
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            /* libyaml's work grows with the square of the depth: stop early */
            if (b.depth >= KANAL_WORKFLOW_MAX_DEPTH) {
                kanal_diags_add(d, file, (int)m->line + 1, (int)m->column + 1,
                                "nesting deeper than %d levels",
                                KANAL_WORKFLOW_MAX_DEPTH);
                failed = true;
                done = true;
                break;
            }
            if (ev.type == YAML_SEQUENCE_START_EVENT) {
                refuse_anchor(&b, ev.data.sequence_start.anchor, ev.data.sequence_start.tag, m);
                push(&b, new_node(&b, YNODE_SEQ, m));
            } else {
                refuse_anchor(&b, ev.data.mapping_start.anchor, ev.data.mapping_start.tag, m);
                push(&b, new_node(&b, YNODE_MAP, m));
            }
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (b.depth)
                pop(&b);
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    while (b.depth) {
        b.depth--;
        free(b.stack[b.depth].kids);
    }
    free(b.stack);

    if (!failed && !b.oom) {
        check_tabs(&b, text, len);
        if (documents == 0 || !b.root ||
            (b.root->kind == YNODE_SCALAR && def_ynode_is_null(b.root))) {
            kanal_diags_add(d, file, 1, 1, "the file is empty: expected a workflow definition");
            b.root = NULL;
        }
    }
    free(b.spans);
    if (b.oom) {
        d->oom = true;
        return NULL;
    }
    return failed ? NULL : b.root;
}

bool def_ynode_is_null(const ynode *n)
{
    if (n->kind != YNODE_SCALAR || !n->plain)
        return false;
    return n->len == 0 || strcmp(n->text, "~") == 0 || strcmp(n->text, "null") == 0 ||
           strcmp(n->text, "Null") == 0 || strcmp(n->text, "NULL") == 0;
}

const char *def_ynode_kind_name(const ynode *n)
{
    switch (n->kind) {
    case YNODE_MAP: return "a mapping";
    case YNODE_SEQ: return "a list";
    case YNODE_BAD: return "an alias";
    case YNODE_SCALAR: return def_ynode_is_null(n) ? "nothing" : "text";
    }
    return "something else";
}
