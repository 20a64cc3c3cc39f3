/* search.c — parts.part.search: part numbers by prefix, descriptions by the
 * start of any word (Chinese text anywhere), through the word index
 * `part_words` that parts.part.define keeps in its own transaction.
 *
 * Words. A description is cut into runs: a run of ASCII letters and digits is
 * one word, lowercased ("Oil-Filter 5W30" holds "oil", "filter", "5w30"); a
 * run of other UTF-8 text (Chinese has no spaces) is indexed by every suffix
 * that starts on a character ("机油滤清器" holds "机油滤清器", "油滤清器",
 * "滤清器", "清器", "器"), so a substring is the start of one of them. A
 * search term is then always a key prefix: one LMDB range read, never a scan
 * of the catalogue. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"
#include "parts.h"

#define SEARCH_LIMIT_DEFAULT 20u
#define SEARCH_LIMIT_MAX 100u
#define SEARCH_TERMS_MAX 8

typedef int (*s_token_fn)(const char *token, size_t len, void *arg);

static bool s_word_byte(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* Calls fn for each token of `text` (lowercased, at most 200 bytes). With
 * `suffixes` a non-ASCII run gives each of its suffixes, else the run. */
static int s_tokens_each(const char *text, bool suffixes, s_token_fn fn, void *arg)
{
    char lower[256];
    size_t n = 0;
    for (const char *p = text; *p && n < sizeof lower - 1; p++)
        lower[n++] = (char)((*p >= 'A' && *p <= 'Z') ? *p - 'A' + 'a' : *p);
    lower[n] = '\0';
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n;) {
        unsigned char c = (unsigned char)lower[i];
        size_t end = i;
        if (s_word_byte(c)) {
            while (end < n && s_word_byte((unsigned char)lower[end]))
                end++;
            rc = fn(lower + i, end - i, arg);
        } else if (c >= 0x80) {
            while (end < n && (unsigned char)lower[end] >= 0x80)
                end++;
            for (size_t s = i; rc == 0 && s < end && (suffixes || s == i); s++)
                if (((unsigned char)lower[s] & 0xC0) != 0x80) /* a character's first byte */
                    rc = fn(lower + s, end - s, arg);
        } else {
            end++;
        }
        i = end;
    }
    return rc;
}

/* --- the index --------------------------------------------------------- */

typedef struct {
    MDB_txn *txn;
    MDB_dbi dbi;
    const char *part_number;
    bool put;
} s_index_t;

static int s_index_one(const char *token, size_t len, void *arg)
{
    s_index_t *ix = arg;
    char word[256];
    memcpy(word, token, len);
    word[len] = '\0';
    if (ix->put)
        return as_record_put_in(ix->txn, ix->dbi, word, ix->part_number, NULL);
    return as_record_del_in(ix->txn, ix->dbi, word, ix->part_number);
}

int parts_words_update(as_service_t *svc, MDB_txn *txn, const char *part_number, const char *old,
                       const char *now)
{
    s_index_t ix = {txn, as_record_dbi(svc, "part_words"), part_number, false};
    int rc = old ? s_tokens_each(old, true, s_index_one, &ix) : 0;
    ix.put = true;
    return rc == 0 && now ? s_tokens_each(now, true, s_index_one, &ix) : rc;
}

/* --- matching ------------------------------------------------------------ */

typedef struct {
    char *terms[SEARCH_TERMS_MAX];
    size_t n;
} s_terms_t;

static int s_term_add(const char *token, size_t len, void *arg)
{
    s_terms_t *t = arg;
    if (t->n == SEARCH_TERMS_MAX)
        return 0;
    return (t->terms[t->n++] = strndup(token, len)) ? 0 : -ENOMEM;
}

static void s_terms_release(s_terms_t *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->terms[i]);
}

typedef struct {
    const char *term;
    bool found;
} s_match_t;

static int s_token_starts(const char *token, size_t len, void *arg)
{
    s_match_t *m = arg;
    size_t n = strlen(m->term);
    m->found = m->found || (n <= len && memcmp(token, m->term, n) == 0);
    return 0;
}

static bool s_description_has(const char *description, const s_terms_t *t)
{
    for (size_t i = 0; i < t->n; i++) {
        s_match_t m = {t->terms[i], false};
        s_tokens_each(description ? description : "", true, s_token_starts, &m);
        if (!m.found)
            return false;
    }
    return true;
}

/* --- candidates ---------------------------------------------------------- */

static int s_add_part_key(const MDB_val *key, const MDB_val *value, void *arg)
{
    (void)value;
    return as_ids_add(arg, key->mv_data, key->mv_size);
}

typedef struct {
    as_cmd_t *cmd;
    const s_terms_t *terms;
    as_ids_t *found;
} s_word_hit_t;

/* An index key "word\0part": the part matches when its description holds
 * every other term too. */
static int s_add_word_hit(const MDB_val *key, const MDB_val *value, void *arg)
{
    (void)value;
    s_word_hit_t *w = arg;
    const char *sep = memchr(key->mv_data, AS_KEY_SEP, key->mv_size);
    if (!sep)
        return 0;
    size_t len = key->mv_size - (size_t)(sep + 1 - (const char *)key->mv_data);
    if (w->terms->n == 1)
        return as_ids_add(w->found, sep + 1, len);
    char pn[AS_KEY_MAX + 1];
    memcpy(pn, sep + 1, len);
    pn[len] = '\0';
    As__Part *part;
    int rc = as_record_get(w->cmd->txn, as_record_dbi(w->cmd->svc, "parts"), pn,
                           &as__part__descriptor, &part);
    if (rc != 0)
        return rc == MDB_NOTFOUND ? 0 : rc;
    if (s_description_has(part->description, w->terms))
        rc = as_ids_add(w->found, pn, len);
    as__part__free_unpacked(part, NULL);
    return rc;
}

static int s_candidates(as_cmd_t *cmd, const char *text, as_ids_t *found)
{
    char upper[AS_KEY_MAX + 1];
    size_t n = 0;
    for (const char *p = text; *p && n < sizeof upper - 1; p++)
        upper[n++] = (char)((*p >= 'a' && *p <= 'z') ? *p - 'a' + 'A' : *p);
    upper[n] = '\0';
    int rc = n ? as_record_range(cmd->txn, as_record_dbi(cmd->svc, "parts"), upper, n,
                                 s_add_part_key, found)
               : 0;
    s_terms_t terms = {{NULL}, 0};
    if (rc == 0)
        rc = s_tokens_each(text, false, s_term_add, &terms);
    if (rc == 0 && terms.n > 0) {
        size_t longest = 0; /* the most selective term drives the index read */
        for (size_t i = 1; i < terms.n; i++)
            if (strlen(terms.terms[i]) > strlen(terms.terms[longest]))
                longest = i;
        s_word_hit_t w = {cmd, &terms, found};
        rc = as_record_range(cmd->txn, as_record_dbi(cmd->svc, "part_words"), terms.terms[longest],
                             strlen(terms.terms[longest]), s_add_word_hit, &w);
    }
    s_terms_release(&terms);
    if (rc == 0)
        as_ids_unique(found);
    return rc;
}

/* --- the reply ----------------------------------------------------------- */

static void s_hit_of(As__PartHit *hit, const As__Part *part)
{
    as__part_hit__init(hit);
    hit->part_number = part->part_number;
    hit->description = part->description;
    hit->bin = part->bin;
    hit->group = (char *)parts_group_of(part);
    hit->has_price_cents = hit->has_on_hand = hit->has_reserved = hit->has_available = 1;
    hit->has_quarantined = hit->has_backordered = 1;
    hit->price_cents = part->price_cents;
    hit->on_hand = part->on_hand;
    hit->reserved = part->reserved;
    hit->available = part->on_hand > part->reserved ? part->on_hand - part->reserved : 0;
    hit->quarantined = part->quarantined;
    hit->backordered = part->backordered;
    hit->has_accessory = hit->accessory = part->accessory;
}

static int s_reply(as_cmd_t *cmd, const as_ids_t *found, size_t from, uint32_t limit)
{
    size_t n = found->n - from < limit ? found->n - from : limit;
    As__Part **parts = calloc(n ? n : 1, sizeof *parts);
    As__PartHit *hits = calloc(n ? n : 1, sizeof *hits);
    As__PartHit **list = calloc(n ? n : 1, sizeof *list);
    int rc = parts && hits && list ? 0 : -ENOMEM;
    size_t made = 0;
    for (; rc == 0 && made < n; made++) {
        if ((rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "parts"), found->ids[from + made],
                                &as__part__descriptor, &parts[made])) != 0)
            break;
        s_hit_of(&hits[made], parts[made]);
        list[made] = &hits[made];
    }
    if (rc == 0) {
        As__PartHits reply = AS__PART_HITS__INIT;
        reply.hits = list;
        reply.n_hits = n;
        reply.has_matched = 1;
        reply.matched = (uint32_t)found->n;
        if (from + n < found->n)
            reply.next_after = found->ids[from + n - 1];
        rc = as_cmd_reply(cmd, &reply.base);
    }
    for (size_t i = 0; parts && i < made; i++)
        as__part__free_unpacked(parts[i], NULL);
    free(parts);
    free(hits);
    free(list);
    return rc;
}

int parts_cmd_part_search(as_cmd_t *cmd)
{
    const As__PartSearch *req = (const As__PartSearch *)cmd->request;
    const char *text = req->text ? req->text : "";
    while (*text == ' ')
        text++;
    if (!text[0])
        return as_cmd_fail(cmd, AS_EINVALID, "text to search for is required");
    uint32_t limit = req->has_limit ? req->limit : SEARCH_LIMIT_DEFAULT;
    if (limit == 0 || limit > SEARCH_LIMIT_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "limit %u must be 1 to %u", limit, SEARCH_LIMIT_MAX);
    as_ids_t found = AS_IDS_INIT;
    int rc = s_candidates(cmd, text, &found);
    size_t from = 0;
    while (rc == 0 && req->after && from < found.n && strcmp(found.ids[from], req->after) <= 0)
        from++;
    if (rc == 0)
        rc = s_reply(cmd, &found, from, limit);
    as_ids_release(&found);
    return rc;
}
