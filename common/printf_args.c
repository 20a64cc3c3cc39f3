/* printf_args.c — each argument of a printf call, as text on its own. */
#include "as/printf_args.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* The conversion is formatted by snprintf with a spec made here ("%-8.3lld"):
 * its format is not a literal by design. */
#pragma GCC diagnostic ignored "-Wformat-nonliteral"

typedef enum {
    S_LEN_NONE,
    S_LEN_HH,
    S_LEN_H,
    S_LEN_L,
    S_LEN_LL,
    S_LEN_J,
    S_LEN_Z,
    S_LEN_T,
    S_LEN_BIG_L
} s_len_t;

/* Reads a length modifier at *p; advances past it. */
static s_len_t s_length(const char **p)
{
    const char *s = *p;
    s_len_t len = S_LEN_NONE;
    if (s[0] == 'h')
        len = s[1] == 'h' ? S_LEN_HH : S_LEN_H;
    else if (s[0] == 'l')
        len = s[1] == 'l' ? S_LEN_LL : S_LEN_L;
    else if (s[0] == 'q')
        len = S_LEN_LL;
    else if (s[0] == 'j')
        len = S_LEN_J;
    else if (s[0] == 'z')
        len = S_LEN_Z;
    else if (s[0] == 't')
        len = S_LEN_T;
    else if (s[0] == 'L')
        len = S_LEN_BIG_L;
    *p += len == S_LEN_NONE ? 0 : (len == S_LEN_HH || (len == S_LEN_LL && s[0] == 'l')) ? 2 : 1;
    return len;
}

/* Formats one value of conversion `conv` with `spec` (which ends in the
 * conversion and its length modifier) into out. Returns what snprintf does,
 * or -1 for a conversion this does not take. */
static int s_one(char *out, size_t cap, const char *spec, char conv, s_len_t len, va_list *ap)
{
    switch (conv) {
    case 'd':
    case 'i':
        switch (len) {
        case S_LEN_L:
            return snprintf(out, cap, spec, va_arg(*ap, long));
        case S_LEN_LL:
            return snprintf(out, cap, spec, va_arg(*ap, long long));
        case S_LEN_J:
            return snprintf(out, cap, spec, va_arg(*ap, intmax_t));
        case S_LEN_Z:
            return snprintf(out, cap, spec, va_arg(*ap, ssize_t));
        case S_LEN_T:
            return snprintf(out, cap, spec, va_arg(*ap, ptrdiff_t));
        case S_LEN_BIG_L:
            return -1;
        default: /* hh, h and none are passed as int */
            return snprintf(out, cap, spec, va_arg(*ap, int));
        }
    case 'o':
    case 'u':
    case 'x':
    case 'X':
        switch (len) {
        case S_LEN_L:
            return snprintf(out, cap, spec, va_arg(*ap, unsigned long));
        case S_LEN_LL:
            return snprintf(out, cap, spec, va_arg(*ap, unsigned long long));
        case S_LEN_J:
            return snprintf(out, cap, spec, va_arg(*ap, uintmax_t));
        case S_LEN_Z:
            return snprintf(out, cap, spec, va_arg(*ap, size_t));
        case S_LEN_T:
            return snprintf(out, cap, spec, va_arg(*ap, ptrdiff_t));
        case S_LEN_BIG_L:
            return -1;
        default:
            return snprintf(out, cap, spec, va_arg(*ap, unsigned int));
        }
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
    case 'a':
    case 'A':
        if (len == S_LEN_BIG_L)
            return snprintf(out, cap, spec, va_arg(*ap, long double));
        return len == S_LEN_NONE || len == S_LEN_L ? snprintf(out, cap, spec, va_arg(*ap, double))
                                                   : -1;
    case 'c':
        return len == S_LEN_NONE ? snprintf(out, cap, spec, va_arg(*ap, int)) : -1;
    case 's': {
        if (len != S_LEN_NONE)
            return -1;
        const char *s = va_arg(*ap, const char *);
        return snprintf(out, cap, spec, s ? s : "(null)");
    }
    case 'p':
        return len == S_LEN_NONE ? snprintf(out, cap, spec, va_arg(*ap, void *)) : -1;
    default: /* %n, %m, %C, %S and the unknown */
        return -1;
    }
}

/* Appends `text` (n bytes) to spec at *at. Returns 0, or -1 when it does not fit. */
static int s_spec_add(char *spec, size_t cap, size_t *at, const char *text, size_t n)
{
    if (*at + n + 1 > cap)
        return -1;
    memcpy(spec + *at, text, n);
    *at += n;
    spec[*at] = '\0';
    return 0;
}

/* Appends a width or precision to spec: digits in the format, or a `*`
 * argument's value (a negative width is the '-' flag, a negative precision
 * none). */
static int s_spec_number(char *spec, size_t cap, size_t *at, const char **p, bool precision,
                         va_list *ap)
{
    if (**p == '*') {
        ++*p;
        int v = va_arg(*ap, int);
        char num[24];
        int n;
        if (precision)
            n = v < 0 ? 0 : snprintf(num, sizeof num, ".%d", v);
        else
            n = snprintf(num, sizeof num, v < 0 ? "-%lld" : "%lld",
                         v < 0 ? -(long long)v : (long long)v);
        return s_spec_add(spec, cap, at, num, (size_t)n);
    }
    const char *start = *p - (precision ? 1 : 0); /* the '.' too */
    while (**p >= '0' && **p <= '9')
        ++*p;
    return s_spec_add(spec, cap, at, start, (size_t)(*p - start));
}

int as_printf_args(char *out, size_t cap, const char *fmt, va_list ap)
{
    va_list args;
    va_copy(args, ap);
    size_t used = 0;
    int count = 0, rc = 0;
    for (const char *p = fmt; rc == 0 && *p; p++) {
        if (*p != '%')
            continue;
        if (p[1] == '%') {
            p++;
            continue;
        }
        char spec[64] = "%";
        size_t at = 1;
        const char *q = p + 1;
        size_t flags = strspn(q, "-+ #0'");
        rc = s_spec_add(spec, sizeof spec, &at, q, flags);
        q += flags;
        if (rc == 0 && ((*q >= '0' && *q <= '9') || *q == '*'))
            rc = s_spec_number(spec, sizeof spec, &at, &q, false, &args);
        if (rc == 0 && *q == '$')
            rc = -1; /* positional: "%1$s" */
        if (rc == 0 && *q == '.') {
            q++;
            rc = s_spec_number(spec, sizeof spec, &at, &q, true, &args);
        }
        const char *len_at = q;
        s_len_t len = s_length(&q);
        char conv = *q;
        if (rc == 0 && conv)
            rc = s_spec_add(spec, sizeof spec, &at, len_at, (size_t)(q - len_at) + 1);
        int n = rc == 0 && conv ? s_one(out + used, cap - used, spec, conv, len, &args) : -1;
        if (n < 0 || (size_t)n + 1 > cap - used) {
            rc = -1;
            break;
        }
        used += (size_t)n + 1;
        count++;
        p = q;
    }
    va_end(args);
    return rc == 0 ? count : -1;
}
