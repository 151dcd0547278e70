/* A small JSON reader for the protocol lines: parses one line into a tree of nodes. */
#ifndef X64SPEC_EXAMPLE_JSON_H
#define X64SPEC_EXAMPLE_JSON_H

#include <stddef.h>

enum json_type { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct json {
  enum json_type type;
  double num;            /* J_NUM, J_BOOL (0/1) */
  char *str;             /* J_STR (NUL-terminated, escapes decoded); object member key */
  struct json *child;    /* J_ARR, J_OBJ: first element/member */
  struct json *next;     /* next sibling */
  char *key;             /* set on object members */
} json;

/* Parses `text` (modified in place for strings). Returns NULL on a syntax error. */
json *json_parse(char *text);
void json_free(json *root);
const json *json_get(const json *obj, const char *key);
size_t json_len(const json *arr);

#endif
