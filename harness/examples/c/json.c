#include "json.h"
#include <stdlib.h>
#include <string.h>

typedef struct { char *p; int depth; } parser;

static void skip(parser *ps) {
  while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\r' || *ps->p == '\n') ps->p++;
}

static json *node(enum json_type t) {
  json *n = calloc(1, sizeof *n);
  if (n) n->type = t;
  return n;
}

static int put_utf8(char **out, unsigned cp) {
  char *o = *out;
  if (cp < 0x80) *o++ = (char)cp;
  else if (cp < 0x800) { *o++ = (char)(0xc0 | (cp >> 6)); *o++ = (char)(0x80 | (cp & 0x3f)); }
  else if (cp < 0x10000) { *o++ = (char)(0xe0 | (cp >> 12)); *o++ = (char)(0x80 | ((cp >> 6) & 0x3f)); *o++ = (char)(0x80 | (cp & 0x3f)); }
  else { *o++ = (char)(0xf0 | (cp >> 18)); *o++ = (char)(0x80 | ((cp >> 12) & 0x3f)); *o++ = (char)(0x80 | ((cp >> 6) & 0x3f)); *o++ = (char)(0x80 | (cp & 0x3f)); }
  *out = o;
  return 1;
}

static int hex4(const char *s, unsigned *v) {
  *v = 0;
  for (int i = 0; i < 4; i++) {
    char c = s[i];
    *v <<= 4;
    if (c >= '0' && c <= '9') *v |= (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') *v |= (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') *v |= (unsigned)(c - 'A' + 10);
    else return 0;
  }
  return 1;
}

/* Decodes the string at ps->p (just after the opening quote) in place. */
static char *string(parser *ps) {
  char *start = ps->p, *out = ps->p;
  for (;;) {
    char c = *ps->p++;
    if (c == '"') break;
    if (c == '\0' || (unsigned char)c < 0x20) return NULL;
    if (c != '\\') { *out++ = c; continue; }
    c = *ps->p++;
    switch (c) {
      case '"': *out++ = '"'; break;
      case '\\': *out++ = '\\'; break;
      case '/': *out++ = '/'; break;
      case 'b': *out++ = '\b'; break;
      case 'f': *out++ = '\f'; break;
      case 'n': *out++ = '\n'; break;
      case 'r': *out++ = '\r'; break;
      case 't': *out++ = '\t'; break;
      case 'u': {
        unsigned cp;
        if (!hex4(ps->p, &cp)) return NULL;
        ps->p += 4;
        if (cp >= 0xd800 && cp < 0xdc00 && ps->p[0] == '\\' && ps->p[1] == 'u') {
          unsigned lo;
          if (!hex4(ps->p + 2, &lo)) return NULL;
          if (lo >= 0xdc00 && lo < 0xe000) { cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00); ps->p += 6; }
        }
        put_utf8(&out, cp);
        break;
      }
      default: return NULL;
    }
  }
  *out = '\0';
  return start;
}

static json *value(parser *ps);

static json *container(parser *ps, int object) {
  json *n = node(object ? J_OBJ : J_ARR), *last = NULL;
  if (!n) return NULL;
  if (++ps->depth > 64) { json_free(n); return NULL; }
  skip(ps);
  if (*ps->p == (object ? '}' : ']')) { ps->p++; ps->depth--; return n; }
  for (;;) {
    char *key = NULL;
    skip(ps);
    if (object) {
      if (*ps->p++ != '"' || !(key = string(ps))) goto bad;
      skip(ps);
      if (*ps->p++ != ':') goto bad;
    }
    json *v = value(ps);
    if (!v) goto bad;
    v->key = key;
    if (last) last->next = v; else n->child = v;
    last = v;
    skip(ps);
    if (*ps->p == ',') { ps->p++; continue; }
    if (*ps->p == (object ? '}' : ']')) { ps->p++; ps->depth--; return n; }
    goto bad;
  }
bad:
  json_free(n);
  return NULL;
}

static json *value(parser *ps) {
  skip(ps);
  char c = *ps->p;
  if (c == '{') { ps->p++; return container(ps, 1); }
  if (c == '[') { ps->p++; return container(ps, 0); }
  if (c == '"') {
    ps->p++;
    char *s = string(ps);
    if (!s) return NULL;
    json *n = node(J_STR);
    if (n) n->str = s;
    return n;
  }
  if (strncmp(ps->p, "true", 4) == 0) { ps->p += 4; json *n = node(J_BOOL); if (n) n->num = 1; return n; }
  if (strncmp(ps->p, "false", 5) == 0) { ps->p += 5; return node(J_BOOL); }
  if (strncmp(ps->p, "null", 4) == 0) { ps->p += 4; return node(J_NULL); }
  if (c == '-' || (c >= '0' && c <= '9')) {
    char *end;
    double d = strtod(ps->p, &end);
    if (end == ps->p) return NULL;
    ps->p = end;
    json *n = node(J_NUM);
    if (n) n->num = d;
    return n;
  }
  return NULL;
}

json *json_parse(char *text) {
  parser ps = { text, 0 };
  json *root = value(&ps);
  if (!root) return NULL;
  skip(&ps);
  if (*ps.p != '\0') { json_free(root); return NULL; }
  return root;
}

void json_free(json *n) {
  while (n) {
    json *next = n->next;
    json_free(n->child);
    free(n);
    n = next;
  }
}

const json *json_get(const json *obj, const char *key) {
  if (!obj || obj->type != J_OBJ) return NULL;
  for (const json *m = obj->child; m; m = m->next)
    if (m->key && strcmp(m->key, key) == 0) return m;
  return NULL;
}

size_t json_len(const json *arr) {
  size_t n = 0;
  if (arr && (arr->type == J_ARR || arr->type == J_OBJ))
    for (const json *m = arr->child; m; m = m->next) n++;
  return n;
}
