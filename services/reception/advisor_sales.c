/* advisor_sales.c — maintenance products and accessories the advisor
 * recommends at the counter (issue 15), and the next-service
 * recommendation at delivery.
 *
 * reception.product.recommend adds a line to the RO's `products` (code,
 * description, amount, the advisor who recommended it) and emits
 * reception.product.recommended; with answer=sold|declined the customer's
 * answer comes at once and reception.product.answered follows it in the same
 * command. reception.product.answer gives the answer of line `line_no` later
 * (once). kpi counts products_recommended_cents on the day recommended and
 * products_sold_cents on the day answered "sold", for the department and the
 * advisor who recommended the line. A delivered or closed RO takes no new
 * line (the customer has left).
 *
 * advisor_sales_next_service checks ro.deliver's next_service_date and
 * next_service_km and puts them on the RO: reminders.c makes the vehicle due
 * on that date (or at that mileage) instead of the default interval. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "reception.h"

#define MAX_CODE 40
#define MAX_TEXT AS_TEXT_CHARS_MAX   /* characters */
#define MAX_AMOUNT_CENTS 100000000LL /* a million */
#define MAX_PRODUCTS 100

static bool s_answer_valid(const char *answer)
{
    return answer && (strcmp(answer, "sold") == 0 || strcmp(answer, "declined") == 0);
}

static int s_emit(as_cmd_t *cmd, const char *type, const As__RepairOrder *ro,
                  As__ProductRecommendation *line)
{
    char date[AS_DATE_LEN + 1];
    as_cmd_date(cmd, date);
    As__ProductChanged changed = AS__PRODUCT_CHANGED__INIT;
    changed.ro_number = ro->ro_number;
    changed.product = line;
    changed.advisor = line->advisor;
    changed.date = date;
    return as_cmd_emit(cmd, type, ro->ro_number, &changed.base);
}

static int s_check_open_ro(as_cmd_t *cmd, const As__RepairOrder *ro)
{
    if (ro->status == AS__RO_STATUS__RO_DELIVERED || ro->status == AS__RO_STATUS__RO_CLOSED)
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "repair order '%s' is %s: products are recommended before delivery",
                           ro->ro_number, ro_status_name(ro->status));
    return 0;
}

static int s_answer(as_cmd_t *cmd, As__RepairOrder *ro, As__ProductRecommendation *line,
                    const char *answer)
{
    int rc = set_text(&line->answer, answer);
    line->has_answered_us = 1;
    line->answered_us = as_cmd_time(cmd);
    return rc ? rc : s_emit(cmd, "reception.product.answered", ro, line);
}

static int s_recommend(as_cmd_t *cmd, As__RepairOrder *ro)
{
    const As__ProductRecommend *req = (const As__ProductRecommend *)cmd->request;
    const char *n = ro->ro_number;
    int rc = s_check_open_ro(cmd, ro);
    if (rc != 0)
        return rc;
    if (blank(req->code) || strlen(req->code) > MAX_CODE)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "repair order '%s': product code is required (at most %d characters)", n,
                           MAX_CODE);
    if (req->description && as_text_chars(req->description) > MAX_TEXT)
        return as_cmd_fail(cmd, AS_EINVALID,
                           "repair order '%s': description is at most %d characters", n, MAX_TEXT);
    if (!req->has_amount_cents || req->amount_cents <= 0 || req->amount_cents > MAX_AMOUNT_CENTS)
        return as_cmd_fail(cmd, AS_EINVALID, "repair order '%s': amount_cents must be 1..%lld", n,
                           MAX_AMOUNT_CENTS);
    if (!blank(req->answer) && !s_answer_valid(req->answer))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "repair order '%s': answer '%s' is not sold or declined", n,
                           req->answer);
    if (ro->n_products >= MAX_PRODUCTS)
        return as_cmd_fail(cmd, AS_ECONFLICT, "repair order '%s' has %d products already", n,
                           MAX_PRODUCTS);
    As__ProductRecommendation **grown = realloc(ro->products, (ro->n_products + 1) * sizeof *grown);
    As__ProductRecommendation *line = calloc(1, sizeof *line);
    if (grown)
        ro->products = grown;
    if (!grown || !line) {
        free(line);
        return -ENOMEM;
    }
    as__product_recommendation__init(line);
    ro->products[ro->n_products++] = line;
    line->has_line_no = line->has_amount_cents = line->has_recommended_us = 1;
    line->line_no = (uint32_t)ro->n_products;
    line->amount_cents = req->amount_cents;
    line->recommended_us = as_cmd_time(cmd);
    if ((rc = set_text(&line->code, req->code)) != 0 ||
        (rc = set_text(&line->description, req->description)) != 0 ||
        (rc = set_text(&line->advisor, cmd->actor)) != 0 ||
        (rc = s_emit(cmd, "reception.product.recommended", ro, line)) != 0)
        return rc;
    return blank(req->answer) ? 0 : s_answer(cmd, ro, line, req->answer);
}

int product_recommend(as_cmd_t *cmd)
{
    const As__ProductRecommend *req = (const As__ProductRecommend *)cmd->request;
    return ro_update(cmd, req->ro_number, s_recommend, NULL);
}

static int s_answer_line(as_cmd_t *cmd, As__RepairOrder *ro)
{
    const As__ProductRecommend *req = (const As__ProductRecommend *)cmd->request;
    int rc = s_check_open_ro(cmd, ro);
    if (rc != 0)
        return rc;
    if (!req->has_line_no || req->line_no == 0 || req->line_no > ro->n_products)
        return as_cmd_fail(cmd, AS_ENOTFOUND, "repair order '%s' has no product line %u",
                           ro->ro_number, req->has_line_no ? req->line_no : 0);
    As__ProductRecommendation *line = ro->products[req->line_no - 1];
    if (!blank(line->answer))
        return as_cmd_fail(cmd, AS_ECONFLICT,
                           "repair order '%s': product line %u was answered already (%s)",
                           ro->ro_number, req->line_no, line->answer);
    if (!s_answer_valid(req->answer))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "repair order '%s': answer '%s' is not sold or declined", ro->ro_number,
                           req->answer ? req->answer : "");
    return s_answer(cmd, ro, line, req->answer);
}

int product_answer(as_cmd_t *cmd)
{
    const As__ProductRecommend *req = (const As__ProductRecommend *)cmd->request;
    return ro_update(cmd, req->ro_number, s_answer_line, NULL);
}

int advisor_sales_next_service(as_cmd_t *cmd, As__RepairOrder *ro, const char *date, bool has_km,
                               uint32_t km)
{
    char today[AS_DATE_LEN + 1];
    as_cmd_date(cmd, today);
    if (!blank(date) && (!as_date_valid(date) || strcmp(date, today) <= 0))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "repair order '%s': next_service_date '%s' must be a date "
                           "YYYY-MM-DD after the delivery (%s)",
                           ro->ro_number, date, today);
    if (has_km && (km <= ro->mileage_km || km > RECEPTION_MILEAGE_MAX))
        return as_cmd_fail(cmd, AS_EINVALID,
                           "repair order '%s': next_service_km %u must be above the RO's "
                           "mileage %u km and at most %u",
                           ro->ro_number, km, ro->mileage_km, RECEPTION_MILEAGE_MAX);
    int rc = blank(date) ? 0 : set_text(&ro->next_service_date, date);
    if (has_km) {
        ro->has_next_service_km = 1;
        ro->next_service_km = km;
    }
    return rc;
}
