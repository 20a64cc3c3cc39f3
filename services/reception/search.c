/* search.c — reception.search: customers by name or phone, vehicles by plate
 * or VIN fragment, through index databases kept in the transaction that
 * writes the customer or vehicle (search_index_*), so a lookup is a few LMDB
 * range reads, never a scan of the customer file.
 *
 * Names. A name is cut into words: a run of letters and digits (Latin with
 * its accents, Greek, Cyrillic), lowercased code point by code point ("Wang
 * Wei" holds "wang", "wei"; "Émile" holds "émile"). Chinese has no spaces and
 * a name is surname then given name, so a run of Chinese characters is indexed
 * by every suffix that starts on a character ("王小伟" holds "王小伟", "小伟",
 * "伟"): "王" finds 王小伟 (the start of the name), "小伟" too (the given
 * name). A search term finds the names with a word that starts with it; every
 * term of the search must be found ("wang wei").
 * Phones: the digits, and the digits reversed, so "138" finds the numbers
 * that start 138 and "5678" those that end 5678. Plates: without case,
 * spaces, '-', '.' and '·' ("鲁a 12345" finds 鲁A12345), by any part that
 * starts on a character ("12345", "A12345"). VINs: any 4 or more characters.
 * Owners: a vehicle is indexed under its customer too ("o" \0 customer_id \0
 * vin; plates are upper case, so no plate part starts so), for a search
 * with_vehicles: the vehicles of the customers found. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/log.h"
#include "as/text.h"
#include "reception.h"

#define SEARCH_LIMIT_DEFAULT 20u
#define SEARCH_LIMIT_MAX 100u
#define SEARCH_FOUND_MAX 10000u /* ids read per index read: a wider search is narrowed */
#define SEARCH_TERMS_MAX 8
#define VIN_FRAGMENT_MIN 4
#define PHONE_DIGITS_MIN 3
#define SEARCH_FORMAT_META "reception_search"
#define SEARCH_FORMAT "2" /* 1: names, phones, plates, vins; 2: and owners */

/* --- text: code points, lowercased ------------------------------------------ */

typedef enum { S_SEPARATOR, S_LETTER, S_CJK } s_class_t;

/* Decodes one UTF-8 character; a stray byte is taken as itself. Returns its length. */
static size_t s_decode(const unsigned char *p, uint32_t *cp)
{
    size_t len = p[0] >= 0xF0 ? 4 : p[0] >= 0xE0 ? 3 : p[0] >= 0xC0 ? 2 : 1;
    uint32_t value = len == 1 ? p[0] : p[0] & (0x3F >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *cp = p[0];
            return 1;
        }
        value = value << 6 | (p[i] & 0x3F);
    }
    *cp = value;
    return len;
}

static size_t s_encode(uint32_t cp, char *out)
{
    if (cp < 0x80)
        return out[0] = (char)cp, 1;
    if (cp < 0x800)
        return out[0] = (char)(0xC0 | cp >> 6), out[1] = (char)(0x80 | (cp & 0x3F)), 2;
    if (cp < 0x10000)
        return out[0] = (char)(0xE0 | cp >> 12), out[1] = (char)(0x80 | (cp >> 6 & 0x3F)),
               out[2] = (char)(0x80 | (cp & 0x3F)), 3;
    out[0] = (char)(0xF0 | cp >> 18), out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3F)), out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Lowercase for Latin (ASCII, Latin-1, Latin Extended-A), Greek and Cyrillic. */
static uint32_t s_lower(uint32_t cp)
{
    if ((cp >= 'A' && cp <= 'Z') || (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
        (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) || (cp >= 0x410 && cp <= 0x42F))
        return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F)
        return cp + 0x50;
    if (cp == 0x130)
        return 'i';
    if (cp == 0x178)
        return 0xFF;
    bool odd_upper = (cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E);
    bool even_upper = (cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177);
    if ((odd_upper && cp % 2 == 1) || (even_upper && cp % 2 == 0))
        return cp + 1;
    return cp;
}

static s_class_t s_class_of(uint32_t cp)
{
    if ((cp >= 0x2E80 && cp <= 0x2FFF) || (cp >= 0x3040 && cp <= 0x9FFF) ||
        (cp >= 0xAC00 && cp <= 0xD7AF) || (cp >= 0xF900 && cp <= 0xFAFF) || cp >= 0x20000)
        return S_CJK;
    if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
        return S_LETTER;
    bool punctuation = cp < 0xC0 || cp == 0xD7 || cp == 0xF7 || (cp >= 0x2000 && cp <= 0x2E7F) ||
                       (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF20);
    return punctuation ? S_SEPARATOR : S_LETTER;
}

/* Calls fn for each word of `text` (its first 500 bytes), lowercased: each
 * run of letters, and for a run of Chinese each suffix when `suffixes`, else
 * the run. fn returns 0 to go on. */
typedef int (*s_word_fn)(const char *word, size_t len, void *arg);

static int s_words_each(const char *text, bool suffixes, s_word_fn fn, void *arg)
{
    char low[AS_TEXT_MAX * 4 + 4];
    size_t at[AS_TEXT_MAX + 1], n = 0, len = 0;
    s_class_t class[AS_TEXT_MAX + 1];
    for (const unsigned char *p = (const unsigned char *)text; *p && n < AS_TEXT_MAX;) {
        uint32_t cp;
        p += s_decode(p, &cp);
        at[n] = len;
        class[n++] = s_class_of(cp);
        len += s_encode(s_lower(cp), low + len);
    }
    at[n] = len;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool starts = class[i] == S_LETTER
                          ? i == 0 || class[i - 1] != S_LETTER
                          : class[i] == S_CJK && (suffixes || i == 0 || class[i - 1] != S_CJK);
        if (!starts)
            continue;
        size_t end = i;
        while (end < n && class[end] == class[i])
            end++;
        rc = fn(low + at[i], at[end] - at[i], arg);
    }
    return rc;
}

/* Digits of a phone number (forward or reversed) into out; the count. */
static size_t s_digits(const char *phone, bool reversed, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = phone ? phone : ""; *p && n < cap - 1; p++)
        if (*p >= '0' && *p <= '9')
            out[n++] = *p;
    out[n] = '\0';
    for (size_t i = 0; reversed && i < n / 2; i++) {
        char c = out[i];
        out[i] = out[n - 1 - i];
        out[n - 1 - i] = c;
    }
    return n;
}

/* A plate or VIN as searched: ASCII uppercase, without spaces, '-', '.', '·'. */
static size_t s_plate(const char *text, char *out, size_t cap)
{
    size_t n = 0;
    for (const char *p = text ? text : ""; *p && n < cap - 1; p++) {
        if (*p == ' ' || *p == '-' || *p == '.')
            continue;
        if ((unsigned char)p[0] == 0xC2 && (unsigned char)p[1] == 0xB7) { /* '·' */
            p++;
            continue;
        }
        out[n++] = (char)(*p >= 'a' && *p <= 'z' ? *p - 'a' + 'A' : *p);
    }
    out[n] = '\0';
    return n;
}

/* Whether `text` is a phone number as typed: digits, spaces, '+', '-', '(', ')'. */
static bool s_phone_like(const char *text)
{
    for (const char *p = text; *p; p++)
        if (!strchr("0123456789 +-()", *p))
            return false;
    return true;
}

/* --- the indexes --------------------------------------------------------- */

typedef struct {
    MDB_txn *txn;
    MDB_dbi dbi;
    const char *id;
    bool put;
} s_index_t;

static int s_index_key(s_index_t *ix, const char *tag, const char *text, size_t len)
{
    char word[AS_KEY_MAX + 1];
    if (len > AS_KEY_MAX - 100)
        len = AS_KEY_MAX - 100;
    memcpy(word, text, len);
    word[len] = '\0';
    as_key_t key;
    int rc = tag ? as_key_of(&key, tag, word, ix->id, NULL) : as_key_of(&key, word, ix->id, NULL);
    if (rc != 0)
        return 0; /* a word too long to index is not searchable by its end */
    return ix->put ? as_record_put_key(ix->txn, ix->dbi, &key, NULL)
                   : as_record_del_key(ix->txn, ix->dbi, &key);
}

static int s_index_word(const char *word, size_t len, void *arg)
{
    return s_index_key(arg, NULL, word, len);
}

static int s_index_phone(s_index_t *ix, const char *phone)
{
    char digits[64];
    size_t n = s_digits(phone, false, digits, sizeof digits);
    int rc = n ? s_index_key(ix, "p", digits, n) : 0;
    if (rc == 0 && n)
        rc = s_index_key(ix, "r", digits, s_digits(phone, true, digits, sizeof digits));
    return rc;
}

/* Every suffix of at least `min` characters. */
static int s_index_suffixes(s_index_t *ix, const char *text, size_t min)
{
    char norm[AS_TEXT_MAX + 1];
    size_t n = s_plate(text, norm, sizeof norm), chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)norm[i] & 0xC0) != 0x80;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n && chars >= min; i++) {
        if (((unsigned char)norm[i] & 0xC0) == 0x80)
            continue;
        rc = s_index_key(ix, NULL, norm + i, n - i);
        chars--;
    }
    return rc;
}

static int s_customer_keys(s_index_t *ix, const As__Customer *c)
{
    return s_words_each(c->name ? c->name : "", true, s_index_word, ix);
}

int search_index_customer(as_service_t *svc, MDB_txn *txn, const As__Customer *customer)
{
    As__Customer *old = NULL;
    int rc = as_record_get(txn, as_record_dbi(svc, "customers"), customer->customer_id,
                           &as__customer__descriptor, &old);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    s_index_t ix = {txn, as_record_dbi(svc, "customer_words"), customer->customer_id, false};
    s_index_t phones = {txn, as_record_dbi(svc, "customer_phones"), customer->customer_id, false};
    rc = old ? s_customer_keys(&ix, old) : 0;
    if (rc == 0 && old)
        rc = s_index_phone(&phones, old->phone);
    ix.put = phones.put = true;
    if (rc == 0)
        rc = s_customer_keys(&ix, customer);
    if (rc == 0)
        rc = s_index_phone(&phones, customer->phone);
    if (old)
        as__customer__free_unpacked(old, NULL);
    return rc;
}

static int s_vehicle_keys(s_index_t *ix, const As__Vehicle *v)
{
    int rc = s_index_suffixes(ix, v->plate, 1);
    if (rc == 0)
        rc = s_index_suffixes(ix, v->vin, VIN_FRAGMENT_MIN);
    if (rc == 0 && !blank(v->customer_id))
        rc = s_index_key(ix, "o", v->customer_id, strlen(v->customer_id));
    return rc;
}

int search_index_vehicle(as_service_t *svc, MDB_txn *txn, const As__Vehicle *vehicle)
{
    As__Vehicle *old = NULL;
    int rc = as_record_get(txn, as_record_dbi(svc, "vehicles"), vehicle->vin,
                           &as__vehicle__descriptor, &old);
    if (rc != 0 && rc != MDB_NOTFOUND)
        return rc;
    s_index_t ix = {txn, as_record_dbi(svc, "vehicle_keys"), vehicle->vin, false};
    rc = old ? s_vehicle_keys(&ix, old) : 0;
    ix.put = true;
    if (rc == 0)
        rc = s_vehicle_keys(&ix, vehicle);
    if (old)
        as__vehicle__free_unpacked(old, NULL);
    return rc;
}

/* --- one plate, one vehicle ------------------------------------------------ */

bool search_same_plate(const char *a, const char *b)
{
    char na[AS_TEXT_MAX + 1], nb[AS_TEXT_MAX + 1];
    s_plate(a, na, sizeof na);
    s_plate(b, nb, sizeof nb);
    return strcmp(na, nb) == 0;
}

typedef struct {
    MDB_txn *txn;
    MDB_dbi vehicles;
    const char *plate, *vin;
    char *out;
    size_t cap;
} s_plate_find_t;

/* A key "<plate or vin suffix>\0<vin>": stops (1) at a vehicle other than
 * find->vin whose whole plate it is. */
static int s_plate_check(const MDB_val *key, const MDB_val *value, void *arg)
{
    (void)value;
    s_plate_find_t *find = arg;
    const char *k = key->mv_data;
    size_t i = key->mv_size;
    while (i > 0 && k[i - 1] != AS_KEY_SEP)
        i--;
    char vin[AS_KEY_MAX + 1];
    size_t n = key->mv_size - i;
    if (n >= sizeof vin)
        return 0;
    memcpy(vin, k + i, n);
    vin[n] = '\0';
    if (find->vin && strcmp(vin, find->vin) == 0)
        return 0;
    As__Vehicle *v = NULL;
    int rc = as_record_get(find->txn, find->vehicles, vin, &as__vehicle__descriptor, &v);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc != 0)
        return rc;
    bool same = search_same_plate(v->plate, find->plate); /* not a vin's suffix */
    as__vehicle__free_unpacked(v, NULL);
    if (!same)
        return 0;
    snprintf(find->out, find->cap, "%s", vin);
    return 1;
}

int search_plate_taken(as_service_t *svc, MDB_txn *txn, const char *plate, const char *vin,
                       char *out, size_t cap)
{
    char prefix[AS_KEY_MAX];
    size_t n = s_plate(plate, prefix, sizeof prefix - 1);
    if (n == 0)
        return 0;
    prefix[n++] = AS_KEY_SEP; /* the whole plate, not a longer one ending the same */
    s_plate_find_t find = {txn, as_record_dbi(svc, "vehicles"), plate, vin, out, cap};
    int rc =
        as_record_range(txn, as_record_dbi(svc, "vehicle_keys"), prefix, n, s_plate_check, &find);
    return rc == AS_EINVALID ? 0 : rc;
}

/* --- candidates ---------------------------------------------------------- */

#define S_ENOUGH 1 /* a range read stops: SEARCH_FOUND_MAX ids */

/* An index key "...\0id": adds the id. */
static int s_add_key_id(const MDB_val *key, const MDB_val *value, void *arg)
{
    (void)value;
    const char *k = key->mv_data;
    size_t i = key->mv_size;
    while (i > 0 && k[i - 1] != AS_KEY_SEP)
        i--;
    as_ids_t *found = arg;
    return found->n == SEARCH_FOUND_MAX ? S_ENOUGH : as_ids_add(found, k + i, key->mv_size - i);
}

/* Adds the ids of the keys of `db` that start with tag \0 text (tag NULL: text). */
static int s_range(as_cmd_t *cmd, const char *db, const char *tag, const char *text,
                   as_ids_t *found)
{
    char prefix[AS_KEY_MAX];
    size_t len = 0, n = strlen(text);
    if (tag) {
        len = strlen(tag) + 1;
        memcpy(prefix, tag, len); /* with its '\0': the separator */
    }
    if (len + n > sizeof prefix)
        return 0;
    memcpy(prefix + len, text, n);
    int rc = as_record_range(cmd->txn, as_record_dbi(cmd->svc, db), prefix, len + n, s_add_key_id,
                             found);
    return rc == S_ENOUGH || rc == AS_EINVALID ? 0 : rc;
}

typedef struct {
    char *terms[SEARCH_TERMS_MAX];
    size_t n;
} s_terms_t;

static int s_term_add(const char *word, size_t len, void *arg)
{
    s_terms_t *t = arg;
    if (t->n == SEARCH_TERMS_MAX)
        return 0;
    return (t->terms[t->n] = strndup(word, len)) ? (t->n++, 0) : -ENOMEM;
}

/* Keeps in `found` only the ids that are in `other` too (both sorted, unique). */
static void s_intersect(as_ids_t *found, const as_ids_t *other)
{
    size_t kept = 0, j = 0;
    for (size_t i = 0; i < found->n; i++) {
        while (j < other->n && strcmp(other->ids[j], found->ids[i]) < 0)
            j++;
        if (j < other->n && strcmp(other->ids[j], found->ids[i]) == 0)
            found->ids[kept++] = found->ids[i];
        else
            free(found->ids[i]);
    }
    found->n = kept;
}

/* The customers with a name word starting with each term: one index read
 * per term, the lists intersected (no customer record is read). */
static int s_find_by_name(as_cmd_t *cmd, const char *text, as_ids_t *found)
{
    s_terms_t terms = {{NULL}, 0};
    int rc = s_words_each(text, false, s_term_add, &terms);
    for (size_t i = 0; rc == 0 && i < terms.n; i++) {
        as_ids_t term = AS_IDS_INIT;
        rc = s_range(cmd, "customer_words", NULL, terms.terms[i], i == 0 ? found : &term);
        as_ids_unique(i == 0 ? found : &term);
        if (i > 0)
            s_intersect(found, &term);
        as_ids_release(&term);
    }
    for (size_t i = 0; i < terms.n; i++)
        free(terms.terms[i]);
    return rc;
}

static int s_find_by_phone(as_cmd_t *cmd, const char *text, as_ids_t *found)
{
    char digits[64];
    if (!s_phone_like(text) || s_digits(text, false, digits, sizeof digits) < PHONE_DIGITS_MIN)
        return 0;
    int rc = s_range(cmd, "customer_phones", "p", digits, found);
    s_digits(text, true, digits, sizeof digits);
    return rc == 0 ? s_range(cmd, "customer_phones", "r", digits, found) : rc;
}

static int s_find_vehicles(as_cmd_t *cmd, const char *text, as_ids_t *found)
{
    char norm[AS_TEXT_MAX + 1];
    size_t n = s_plate(text, norm, sizeof norm), chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)norm[i] & 0xC0) != 0x80;
    return chars >= 2 ? s_range(cmd, "vehicle_keys", NULL, norm, found) : 0;
}

/* The vehicles of the first `limit` customers found: "o" \0 id \0 in the
 * vehicle index, one range read each. */
static int s_find_owned(as_cmd_t *cmd, const as_ids_t *customers, uint32_t limit, as_ids_t *found)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < customers->n && i < limit; i++) {
        char prefix[AS_KEY_MAX];
        size_t n = strlen(customers->ids[i]);
        if (n + 3 > sizeof prefix)
            continue;
        prefix[0] = 'o';
        prefix[1] = AS_KEY_SEP;
        memcpy(prefix + 2, customers->ids[i], n);
        prefix[n + 2] = AS_KEY_SEP;
        rc = as_record_range(cmd->txn, as_record_dbi(cmd->svc, "vehicle_keys"), prefix, n + 3,
                             s_add_key_id, found);
        rc = rc == S_ENOUGH || rc == AS_EINVALID ? 0 : rc;
    }
    return rc;
}

/* --- the reply ------------------------------------------------------------- */

static int s_vehicle_hit(as_cmd_t *cmd, const char *vin, As__VehicleHit *hit, As__Vehicle **v,
                         As__Customer **owner)
{
    as__vehicle_hit__init(hit);
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "vehicles"), vin,
                           &as__vehicle__descriptor, v);
    if (rc != 0)
        return rc;
    hit->vin = (*v)->vin;
    hit->plate = (*v)->plate;
    hit->model = (*v)->model;
    hit->customer_id = (*v)->customer_id;
    hit->has_mileage_km = (*v)->has_mileage_km;
    hit->mileage_km = (*v)->mileage_km;
    if (blank((*v)->customer_id) ||
        as_record_get(cmd->txn, as_record_dbi(cmd->svc, "customers"), (*v)->customer_id,
                      &as__customer__descriptor, owner) != 0)
        return 0;
    hit->customer_name = (*owner)->name;
    hit->customer_phone = (*owner)->phone;
    return 0;
}

static int s_reply(as_cmd_t *cmd, const as_ids_t *customers, const as_ids_t *vehicles,
                   uint32_t limit)
{
    size_t nc = customers->n < limit ? customers->n : limit;
    size_t nv = vehicles->n < limit ? vehicles->n : limit;
    As__Customer **found = calloc(nc + 1, sizeof *found);
    As__Vehicle **cars = calloc(nv + 1, sizeof *cars);
    As__Customer **owners = calloc(nv + 1, sizeof *owners);
    As__VehicleHit *hits = calloc(nv + 1, sizeof *hits);
    As__VehicleHit **list = calloc(nv + 1, sizeof *list);
    int rc = found && cars && owners && hits && list ? 0 : -ENOMEM;
    As__SearchHits reply = AS__SEARCH_HITS__INIT;
    for (size_t i = 0; (rc == 0 || rc == MDB_NOTFOUND) && i < nc; i++) {
        rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "customers"), customers->ids[i],
                           &as__customer__descriptor, &found[reply.n_customers]);
        if (rc == 0)
            reply.n_customers++;
    }
    for (size_t i = 0; (rc == 0 || rc == MDB_NOTFOUND) && i < nv; i++)
        if ((rc = s_vehicle_hit(cmd, vehicles->ids[i], &hits[i], &cars[i], &owners[i])) == 0)
            list[reply.n_vehicles++] = &hits[i];
    if (rc == MDB_NOTFOUND) /* the indexes are written with the records: never */
        rc = 0;
    if (rc == 0) {
        reply.customers = found;
        reply.vehicles = list;
        reply.has_matched = 1;
        reply.matched = (uint32_t)(customers->n + vehicles->n);
        rc = as_cmd_reply(cmd, &reply.base);
    }
    for (size_t i = 0; found && i < nc; i++)
        if (found[i])
            as__customer__free_unpacked(found[i], NULL);
    for (size_t i = 0; cars && owners && i < nv; i++) {
        if (cars[i])
            as__vehicle__free_unpacked(cars[i], NULL);
        if (owners[i])
            as__customer__free_unpacked(owners[i], NULL);
    }
    free(found), free(cars), free(owners), free(hits), free(list);
    return rc;
}

int reception_search(as_cmd_t *cmd)
{
    const As__Search *req = (const As__Search *)cmd->request;
    const char *text = req->text ? req->text : "";
    while (*text == ' ')
        text++;
    if (!*text)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "text to search for is required (a name, phone, plate or vin)");
    uint32_t limit = req->has_limit ? req->limit : SEARCH_LIMIT_DEFAULT;
    if (limit == 0 || limit > SEARCH_LIMIT_MAX)
        return as_cmd_fail(cmd, AS_EINVALID, "limit %u must be 1 to %u", limit, SEARCH_LIMIT_MAX);
    as_ids_t customers = AS_IDS_INIT, vehicles = AS_IDS_INIT;
    int rc = s_find_by_name(cmd, text, &customers);
    if (rc == 0)
        rc = s_find_by_phone(cmd, text, &customers);
    if (rc == 0)
        rc = s_find_vehicles(cmd, text, &vehicles);
    as_ids_unique(&customers);
    if (rc == 0 && req->has_with_vehicles && req->with_vehicles)
        rc = s_find_owned(cmd, &customers, limit, &vehicles);
    as_ids_unique(&vehicles);
    if (rc == 0)
        rc = s_reply(cmd, &customers, &vehicles, limit);
    as_ids_release(&customers);
    as_ids_release(&vehicles);
    return rc;
}

/* --- the upgrade of a store written before the indexes ---------------------- */

typedef struct {
    as_service_t *svc;
    MDB_txn *txn;
    size_t customers, vehicles, ros;
} s_upgrade_t;

static int s_upgrade_customer(s_upgrade_t *up, const ProtobufCMessage *msg)
{
    const As__Customer *c = (const As__Customer *)msg;
    s_index_t ix = {up->txn, as_record_dbi(up->svc, "customer_words"), c->customer_id, true};
    s_index_t phones = {up->txn, as_record_dbi(up->svc, "customer_phones"), c->customer_id, true};
    int rc = s_customer_keys(&ix, c);
    up->customers++;
    return rc == 0 ? s_index_phone(&phones, c->phone) : rc;
}

static int s_upgrade_vehicle(s_upgrade_t *up, const ProtobufCMessage *msg)
{
    const As__Vehicle *v = (const As__Vehicle *)msg;
    s_index_t ix = {up->txn, as_record_dbi(up->svc, "vehicle_keys"), v->vin, true};
    up->vehicles++;
    return s_vehicle_keys(&ix, v);
}

static int s_upgrade_ro(s_upgrade_t *up, const ProtobufCMessage *msg)
{
    up->ros++;
    return ro_index_by_date(up->svc, up->txn, (const As__RepairOrder *)msg);
}

/* Indexes every record of one database. */
typedef struct {
    s_upgrade_t *up;
    const ProtobufCMessageDescriptor *desc;
    int (*index)(s_upgrade_t *up, const ProtobufCMessage *msg);
} s_upgrade_db_t;

static int s_upgrade_one(const MDB_val *rest, const MDB_val *value, void *arg)
{
    (void)rest;
    s_upgrade_db_t *db = arg;
    ProtobufCMessage *msg =
        protobuf_c_message_unpack(db->desc, NULL, value->mv_size, value->mv_data);
    if (!msg)
        return AS_EBADFRAME;
    int rc = db->index(db->up, msg);
    protobuf_c_message_free_unpacked(msg, NULL);
    return rc;
}

static int s_upgrade_db(s_upgrade_t *up, const char *name, const ProtobufCMessageDescriptor *desc,
                        int (*index)(s_upgrade_t *up, const ProtobufCMessage *msg))
{
    s_upgrade_db_t db = {up, desc, index};
    return as_record_each(up->txn, as_record_dbi(up->svc, name), NULL, s_upgrade_one, &db);
}

static int s_upgrade(MDB_txn *txn, void *arg)
{
    s_upgrade_t *up = arg;
    up->txn = txn;
    up->customers = up->vehicles = up->ros = 0;
    as_store_t *store = as_service_store(up->svc);
    MDB_val format;
    bool indexed = as_meta_get(store, txn, SEARCH_FORMAT_META, &format) == 0;
    if (indexed && format.mv_size == strlen(SEARCH_FORMAT) &&
        memcmp(format.mv_data, SEARCH_FORMAT, format.mv_size) == 0)
        return 0;
    /* a store of format 1 lacks only the owners: its vehicles are indexed again */
    int rc =
        indexed ? 0 : s_upgrade_db(up, "customers", &as__customer__descriptor, s_upgrade_customer);
    if (rc == 0)
        rc = s_upgrade_db(up, "vehicles", &as__vehicle__descriptor, s_upgrade_vehicle);
    if (rc == 0 && !indexed)
        rc = s_upgrade_db(up, "ros", &as__repair_order__descriptor, s_upgrade_ro);
    if (rc == 0)
        rc = as_meta_put(store, txn, SEARCH_FORMAT_META, SEARCH_FORMAT, strlen(SEARCH_FORMAT));
    return rc;
}

int reception_index_upgrade(as_service_t *svc)
{
    s_upgrade_t up = {svc, NULL, 0, 0, 0};
    int rc = as_store_write(as_service_store(svc), s_upgrade, &up);
    if (rc != 0)
        as_error("reception: building the search and date indexes failed: %s", as_strerror(rc));
    else if (up.customers || up.vehicles || up.ros)
        as_info("reception: store upgraded: %zu customers, %zu vehicles and %zu repair orders "
                "indexed",
                up.customers, up.vehicles, up.ros);
    return rc;
}
