/* printf_args.h — each argument of a printf call, as text on its own.
 *
 * A refusal's text is made with printf (as_cmd_fail). Its reply also carries
 * the format and each argument's text (CommandReply.error_format and
 * error_args), so that a page can show it in the reader's language: a
 * template for the format, with the arguments put in where that language
 * wants them (services/web/www/refusals.json). */
#ifndef AS_PRINTF_ARGS_H
#define AS_PRINTF_ARGS_H

#include <stdarg.h>
#include <stddef.h>

/* Formats each conversion of `fmt` on its own with its arguments from `ap`
 * (a `*` width or precision takes its int as printf does; "%%" is no
 * argument) and writes the texts into out, one after another, each ending in
 * NUL. Reads the arguments through a copy of ap: the caller's ap is as it
 * was (vsnprintf may still take it).
 *
 * Returns the number of arguments written (0 when the format has none), or
 * -1 when they do not fit in cap, or the format has what this does not
 * take: positional arguments ("%1$s"), %n, %m, a wide %lc / %ls, or a
 * conversion it does not know. Nothing in out is meaningful then. */
int as_printf_args(char *out, size_t cap, const char *fmt, va_list ap);

#endif
