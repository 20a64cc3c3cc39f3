/* query_ids.c — query request ids held until a turn writes. See
 * include/as/query_ids.h. */
#include "as/query_ids.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "as/error.h"

typedef struct {
    char *request_id;
    int64_t stored_us;
    void *record;
    size_t len;
} s_held_t;

struct as_query_ids {
    s_held_t held[AS_QUERY_IDS_MAX];
    size_t n;
};

as_query_ids_t *as_query_ids_new(void)
{
    return calloc(1, sizeof(as_query_ids_t));
}

void as_query_ids_destroy(as_query_ids_t **self_p)
{
    if (!*self_p)
        return;
    as_query_ids_clear(*self_p);
    free(*self_p);
    *self_p = NULL;
}

int as_query_ids_hold(as_query_ids_t *self, const char *request_id, int64_t stored_us,
                      const void *record, size_t len)
{
    if (self->n == AS_QUERY_IDS_MAX)
        return AS_EINVALID;
    s_held_t *h = &self->held[self->n];
    h->request_id = strdup(request_id);
    h->record = malloc(len ? len : 1);
    if (!h->request_id || !h->record) {
        free(h->request_id);
        free(h->record);
        return -ENOMEM;
    }
    memcpy(h->record, record, len);
    h->len = len;
    h->stored_us = stored_us;
    self->n++;
    return 0;
}

bool as_query_ids_find(const as_query_ids_t *self, const char *request_id, MDB_val *record)
{
    for (size_t i = 0; i < self->n; i++)
        if (strcmp(self->held[i].request_id, request_id) == 0) {
            *record = (MDB_val){self->held[i].len, self->held[i].record};
            return true;
        }
    return false;
}

size_t as_query_ids_count(const as_query_ids_t *self)
{
    return self->n;
}

bool as_query_ids_full(const as_query_ids_t *self)
{
    return self->n == AS_QUERY_IDS_MAX;
}

int as_query_ids_write(const as_query_ids_t *self, as_store_t *store, MDB_txn *txn)
{
    for (size_t i = 0; i < self->n; i++) {
        const s_held_t *h = &self->held[i];
        int rc = as_request_put_at(store, txn, h->request_id, h->stored_us, h->record, h->len);
        if (rc != 0)
            return rc;
    }
    return 0;
}

void as_query_ids_clear(as_query_ids_t *self)
{
    for (size_t i = 0; i < self->n; i++) {
        free(self->held[i].request_id);
        free(self->held[i].record);
    }
    self->n = 0;
}
