/* greetings.c — the information clerk's birthday and holiday greetings (issue 15).
 *
 * The customer file keeps a birthday (Customer.birthday, "MM-DD" or
 * "YYYY-MM-DD") and an opt-out (Customer.no_messages); the holiday calendar
 * is db holidays [date] -> Holiday (reception.holiday.set / .list).
 *
 * The greetings of a date are the customers whose birthday falls on it (one
 * born on 29 February is greeted on the 28th in a year without one) and, on
 * a holiday, every customer; less those who opted out and those without a
 * phone (counted in the reply, not listed). reception.greeting.list answers
 * them; reception.greeting.send emits reception.greeting.due (a Greeting: the
 * phone, the name and the text in the customer's language) for each one not
 * sent yet and files it in db greetings_sent [date, occasion, customer_id].
 *
 * Why the clerk's command for a date, and not a timer in the daemon: the
 * list is a duty of the clerk's day (run it, look at it, send), a command
 * goes through the roles and the audit like every other, and a date in the
 * request makes it reproducible and keyable later (asctl call --at). It is
 * idempotent by the greetings_sent record, written in the same transaction as
 * the events: sending a date twice, or after reception restarts (the record
 * is in the store), emits nothing new, so each customer gets one greeting per
 * occasion. A customer registered (or a birthday keyed in) after the day's
 * send is picked up by sending the date again.
 *
 * Every refusal writes nothing; handlers return 0, a store code or -ENOMEM. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reception.h"

#define MAX_HOLIDAY_NAME 100 /* characters */
#define S_TEXT_SIZE 400

bool greeting_birthday_valid(const char *birthday)
{
    char full[AS_DATE_LEN + 8];
    size_t n = birthday ? strlen(birthday) : 0;
    if (n == 5) { /* MM-DD: checked in a leap year, so 02-29 is a day */
        snprintf(full, sizeof full, "2000-%s", birthday);
        return as_date_valid(full);
    }
    if (n != AS_DATE_LEN || !as_date_valid(birthday))
        return false;
    char today[AS_DATE_LEN + 1];
    as_date_today(today);
    return strcmp(birthday, today) <= 0;
}

/* --- the holiday calendar ---------------------------------------------------- */

int holiday_set(as_cmd_t *cmd)
{
    const As__Holiday *req = (const As__Holiday *)cmd->request;
    if (blank(req->date) || !as_date_valid(req->date))
        return as_cmd_fail(cmd, AS_EINVALID, "date '%s' is not a date YYYY-MM-DD",
                           req->date ? req->date : "");
    if (req->name && as_text_chars(req->name) > MAX_HOLIDAY_NAME)
        return as_cmd_fail(cmd, AS_EINVALID, "holiday %s: name is at most %d characters", req->date,
                           MAX_HOLIDAY_NAME);
    if (req->name_en && as_text_chars(req->name_en) > MAX_HOLIDAY_NAME)
        return as_cmd_fail(cmd, AS_EINVALID, "holiday %s: name_en is at most %d characters",
                           req->date, MAX_HOLIDAY_NAME);
    if (blank(req->name) && !blank(req->name_en))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "holiday %s: name_en without a name: the name is the calendar's (and "
                           "the Chinese greeting's), name_en its English name",
                           req->date);
    MDB_dbi dbi = as_record_dbi(cmd->svc, "holidays");
    As__Holiday holiday = AS__HOLIDAY__INIT;
    holiday.date = req->date;
    holiday.name = req->name;
    holiday.name_en = blank(req->name_en) ? NULL : req->name_en;
    holiday.set_by = (char *)cmd->actor;
    int rc;
    if (blank(req->name)) { /* a blank name takes the day out of the calendar */
        if (!as_record_exists(cmd->txn, dbi, req->date))
            return as_cmd_fail(cmd, AS_ENOTFOUND, "holiday %s is not in the calendar", req->date);
        rc = as_record_del(cmd->txn, dbi, req->date);
    } else
        rc = as_record_put(cmd->txn, dbi, req->date, &holiday.base);
    return rc ? rc : as_cmd_reply(cmd, &holiday.base);
}

int holiday_list(as_cmd_t *cmd)
{
    const As__HolidayQuery *q = (const As__HolidayQuery *)cmd->request;
    if (!blank(q->from) && !as_date_valid(q->from))
        return as_cmd_fail(cmd, AS_EINVALID, "from '%s' is not a date YYYY-MM-DD", q->from);
    as_record_list_t all;
    int rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "holidays"), NULL,
                            &as__holiday__descriptor, &all);
    if (rc == 0) {
        size_t kept = 0;
        for (size_t i = 0; i < all.n; i++) {
            As__Holiday *h = (As__Holiday *)all.msgs[i];
            if (blank(q->from) || (h->date && strcmp(h->date, q->from) >= 0))
                all.msgs[kept++] = all.msgs[i];
            else
                as__holiday__free_unpacked(h, NULL);
        }
        all.n = kept;
        As__HolidayList list = AS__HOLIDAY_LIST__INIT;
        list.holidays = (As__Holiday **)all.msgs;
        list.n_holidays = all.n;
        rc = as_cmd_reply(cmd, &list.base);
    }
    as_record_list_free(&all);
    return rc;
}

/* --- the greetings of a date ----------------------------------------------- */

/* Whether `birthday` ("MM-DD" or "YYYY-MM-DD") falls on `date`. */
static bool s_birthday_on(const char *birthday, const char *date)
{
    if (!greeting_birthday_valid(birthday))
        return false;
    const char *md = birthday + strlen(birthday) - 5; /* "MM-DD" */
    if (strcmp(md, date + 5) == 0)
        return true;
    if (strcmp(md, "02-29") != 0 || strcmp(date + 5, "02-28") != 0)
        return false;
    char leap_day[AS_DATE_LEN + 1];
    snprintf(leap_day, sizeof leap_day, "%.4s-02-29", date);
    return !as_date_valid(leap_day); /* no 29th this year: greeted on the 28th */
}

static bool s_english(const As__Customer *c)
{
    return c->language && strcmp(c->language, "en") == 0;
}

/* The holiday's name in the customer's language: its English name for an
 * English-language customer when it has one, else its name. */
static const char *s_holiday_name(const As__Holiday *h, const As__Customer *c)
{
    if (!h)
        return NULL;
    return s_english(c) && !blank(h->name_en) ? h->name_en : h->name;
}

static void s_text(const As__Customer *c, const char *occasion, const char *holiday,
                   char out[S_TEXT_SIZE])
{
    bool en = s_english(c);
    const char *name = c->name ? c->name : "";
    if (strcmp(occasion, "birthday") == 0)
        snprintf(out, S_TEXT_SIZE,
                 en ? "Happy birthday, %s! Best wishes from your service team."
                    : "%s，祝您生日快乐！—— 您的售后服务团队",
                 name);
    else if (en)
        snprintf(out, S_TEXT_SIZE, "Happy %s, %s! Best wishes from your service team.", holiday,
                 name);
    else
        snprintf(out, S_TEXT_SIZE, "%s，祝您%s快乐！—— 您的售后服务团队", name, holiday);
}

typedef struct {
    as_cmd_t *cmd;
    bool send;
    const char *date;
    const As__Holiday *holiday; /* NULL when the date is none */
    As__GreetingList *list;
} s_run_t;

static int s_append(As__GreetingList *list, As__Greeting *g)
{
    As__Greeting **grown = realloc(list->greetings, (list->n_greetings + 1) * sizeof *grown);
    if (!grown)
        return -ENOMEM;
    list->greetings = grown;
    list->greetings[list->n_greetings++] = g;
    return 0;
}

/* One customer's greeting for `occasion`: listed as sent (the record), sent
 * now (send), or listed to send. */
static int s_greet(s_run_t *run, const As__Customer *c, const char *occasion)
{
    if (c->no_messages) {
        run->list->opted_out++;
        return 0;
    }
    if (blank(c->phone)) {
        run->list->no_phone++;
        return 0;
    }
    as_key_t key;
    if (as_key_of(&key, run->date, occasion, c->customer_id, NULL) != 0)
        return 0;
    MDB_dbi dbi = as_record_dbi(run->cmd->svc, "greetings_sent");
    As__Greeting *g = NULL;
    int rc = as_record_get_key(run->cmd->txn, dbi, &key, &as__greeting__descriptor, &g);
    if (rc == 0)
        return s_append(run->list, g) == 0 ? 0 : (as__greeting__free_unpacked(g, NULL), -ENOMEM);
    if (rc != MDB_NOTFOUND)
        return rc;
    char text[S_TEXT_SIZE];
    const char *holiday = s_holiday_name(run->holiday, c);
    s_text(c, occasion, holiday ? holiday : "", text);
    As__Greeting now = AS__GREETING__INIT;
    now.customer_id = c->customer_id;
    now.name = c->name;
    now.phone = c->phone;
    now.language = !blank(c->language) ? c->language : "zh";
    now.occasion = (char *)occasion;
    now.holiday = strcmp(occasion, "holiday") == 0 ? (char *)holiday : NULL;
    now.text = text;
    now.date = (char *)run->date;
    if (run->send) {
        now.has_sent = now.has_sent_us = 1;
        now.sent = true;
        now.sent_by = (char *)run->cmd->actor;
        now.sent_us = as_cmd_time(run->cmd);
        rc = as_record_put_key(run->cmd->txn, dbi, &key, &now.base);
        if (rc == 0)
            rc = as_cmd_emit(run->cmd, "reception.greeting.due", c->customer_id, &now.base);
        if (rc != 0)
            return rc;
        run->list->sent_now++;
    }
    if (!(g = msg_copy(&now.base)))
        return -ENOMEM;
    return s_append(run->list, g) == 0 ? 0 : (as__greeting__free_unpacked(g, NULL), -ENOMEM);
}

static void s_list_free(As__GreetingList *list)
{
    for (size_t i = 0; i < list->n_greetings; i++)
        as__greeting__free_unpacked(list->greetings[i], NULL);
    free(list->greetings);
}

static int s_run(as_cmd_t *cmd, bool send)
{
    const As__GreetingQuery *q = (const As__GreetingQuery *)cmd->request;
    char date[AS_DATE_LEN + 1];
    if (as_cmd_date_or(cmd, "date", q->date, date) != 0)
        return AS_EINVALID;
    As__Holiday *holiday = NULL;
    int rc = as_record_get(cmd->txn, as_record_dbi(cmd->svc, "holidays"), date,
                           &as__holiday__descriptor, &holiday);
    if (rc == MDB_NOTFOUND)
        rc = 0;
    As__GreetingList list = AS__GREETING_LIST__INIT;
    list.date = date;
    list.holiday = holiday ? holiday->name : NULL;
    list.has_sent_now = list.has_opted_out = list.has_no_phone = 1;
    s_run_t run = {cmd, send, date, holiday, &list};
    as_record_list_t customers = {0};
    if (rc == 0)
        rc = as_record_scan(cmd->txn, as_record_dbi(cmd->svc, "customers"), NULL,
                            &as__customer__descriptor, &customers);
    for (size_t i = 0; rc == 0 && i < customers.n; i++) {
        const As__Customer *c = (const As__Customer *)customers.msgs[i];
        if (s_birthday_on(c->birthday, date))
            rc = s_greet(&run, c, "birthday");
        if (rc == 0 && holiday)
            rc = s_greet(&run, c, "holiday");
    }
    if (rc == 0)
        rc = as_cmd_reply(cmd, &list.base);
    s_list_free(&list);
    as_record_list_free(&customers);
    if (holiday)
        as__holiday__free_unpacked(holiday, NULL);
    return rc;
}

int greeting_list(as_cmd_t *cmd)
{
    return s_run(cmd, false);
}

int greeting_send(as_cmd_t *cmd)
{
    return s_run(cmd, true);
}
