/* workshop.h — the workshop daemon's parts: records in LMDB, commands and
 * event handlers, each group in the file named for what it owns. */
#ifndef WORKSHOP_H
#define WORKSHOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "as/pb/workshop.pb-c.h"
#include "as/record.h"
#include "as/service.h"
#include "as/staff.h"

/* --- records.c: the databases and their keys (as/record.h) ------------------
 *   technicians  tech_id -> Technician
 *   bays         bay_id -> Bay
 *   attendance   tech_id \0 date -> Attendance
 *   ros          ro_number -> WorkRo (without its repeated fields)
 *   jobs         ro_number \0 job_no (4 bytes, big-endian) -> WorkJob
 *   inspections  ro_number \0 index (4 bytes, big-endian) -> Inspection
 *   defects      ro_number \0 report_id -> ExtraDefect
 *   tools        tool_id -> WorkshopTool (the read model of the tool room)
 *   jobs_by_finish  finished_date \0 ro_number \0 job_no -> "" (board.c; "" while open)
 */
extern const char *const ws_dbs[];

/* Whether RO ro_number has job job_no (events may come again after a replay). */
bool ws_job_exists(MDB_txn *txn, as_service_t *svc, const char *ro_number, uint32_t job_no);

/* Loads a job a command names (owned: free it), or fails the command
 * (AS_ENOTFOUND, "RO R-1 has no job 2 in the workshop"); other codes as
 * as_record_get. Put marks the fields a reply must show. */
int ws_load_job(as_cmd_t *cmd, const char *ro_number, uint32_t job_no, As__WorkJob **out);
int ws_put_job(MDB_txn *txn, as_service_t *svc, As__WorkJob *job);

/* Dates a job for the board (board.c): opened_date the first time it is put,
 * finished_date when it passes QC or is cancelled (cleared if it reopens),
 * and files it under that date in jobs_by_finish. 0, -ENOMEM or a store code. */
int ws_job_dates(MDB_txn *txn, as_service_t *svc, As__WorkJob *job);

/* Once per store, at start: files the jobs of a store written before the
 * board's index. 0 or a store code. */
int ws_board_upgrade(as_service_t *svc);

/* Replaces the string *field of an unpacked message with a copy of value
 * (NULL or "" clears it). Returns 0 or -ENOMEM. */
int ws_set_str(char **field, const char *value);

/* True when s is NULL or "". */
int ws_empty(const char *s);

/* "WORK_WAITING"... for error texts. */
const char *ws_status_name(As__WorkStatus status);

/* --- tool_check.c: one special tool of a job at dispatch (pure) -------------- */
typedef enum {
    WS_TOOL_OK,      /* may be used */
    WS_TOOL_NOTE,    /* may be used; `text` is a note for the foreman */
    WS_TOOL_BLOCKED, /* may not be used; `text` says why */
} ws_tool_verdict_t;

/* What a dispatch on `date` (YYYY-MM-DD) makes of special tool `tool_id`,
 * whose record in workshop's read model is `tool` (NULL: never heard of).
 * BLOCKED when it is lost, out of service, damaged, never calibrated though it
 * needs calibration, or past its calibration due date: `text` continues "job 2
 * of RO R-1 needs special tool 'T-1', " ("which is out of calibration: it was
 * due on 2026-11-01"). NOTE when it is on loan ("special tool 'T-1' is on loan
 * to tech-03 (loan L-7, due 15:00)") or not known to workshop. OK: text "". */
ws_tool_verdict_t ws_tool_check(const char *tool_id, const As__WorkshopTool *tool, const char *date,
                                char *text, size_t cap);

/* The same text as data a page words in its language (ToolWording): `code`
 * NULL for OK; `args` borrowed from `tool_id`, `tool` and `due`. */
typedef struct {
    const char *code;    /* ToolWording.code */
    const char *args[5]; /* the tool id, then what the code names */
    size_t n_args;
    char due[AS_DATE_LEN + 1]; /* the day a calibration was due */
    char when[32];             /* a loan's due day and time ("2026-11-28 15:00", "15:00") */
} ws_tool_wording_t;

/* ws_tool_check, also filling `wording`. */
ws_tool_verdict_t ws_tool_check_worded(const char *tool_id, const As__WorkshopTool *tool,
                                       const char *date, char *text, size_t cap,
                                       ws_tool_wording_t *wording);

/* Why a special tool may not be used (the cases of WS_TOOL_BLOCKED), so a
 * refusal words each in its own format. */
typedef enum {
    WS_TOOL_USABLE = 0,          /* not blocked (it may still get a note) */
    WS_TOOL_LOST,                /* reported lost (tool->lost_note: how) */
    WS_TOOL_OUT_OF_SERVICE,      /* out of service (tool->service_note: why) */
    WS_TOOL_DAMAGED,             /* damaged (tool->damage: what) */
    WS_TOOL_NEVER_CALIBRATED,    /* needs calibration, never had one */
    WS_TOOL_CALIBRATION_OVERDUE, /* its calibration was due before the day */
} ws_tool_block_t;

/* Why `tool` (never NULL) may not be used on `date`: WS_TOOL_USABLE (0) when
 * it may; for WS_TOOL_CALIBRATION_OVERDUE the day it was due is in `due`. The
 * order is ws_tool_check's: lost, out of service, damaged, calibration. */
ws_tool_block_t ws_tool_blocker(const As__WorkshopTool *tool, const char *date, char due[11]);

/* The tool's next calibration date (last passed one + interval), "" when it
 * needs none or was never calibrated. */
void ws_tool_next_calibration(const As__WorkshopTool *tool, char out[11]);

/* --- tool_room.c: the read model from the tools service's events ------------- */
/* Checks the special tools of the job's labour operation for a dispatch on
 * `date`: fails the command (AS_ECONFLICT) at the first one that may not be
 * used; otherwise replaces job->tool_notes with the notes for the foreman. */
int ws_check_job_tools(as_cmd_t *cmd, As__WorkJob *job, const char *date);
int ws_cmd_tool_list(as_cmd_t *cmd);
/* workshop.tool_check.show: ws_tool_check of each special tool of a job, without
 * dispatching it (the foreman's dispatch form shows the answers). */
int ws_cmd_tool_check_show(as_cmd_t *cmd);
int ws_evt_tool_registered(as_evt_t *evt);
int ws_evt_tool_calibrated(as_evt_t *evt);
int ws_evt_tool_loan_changed(as_evt_t *evt); /* checked_out, checked_in, lost */

/* --- command handlers ----------------------------------------------------- */
int ws_cmd_technician_register(as_cmd_t *cmd); /* resources.c */
int ws_cmd_bay_register(as_cmd_t *cmd);
int ws_cmd_shift_record(as_cmd_t *cmd);
int ws_cmd_job_dispatch(as_cmd_t *cmd); /* jobs.c */
/* Frees the bay the job holds (if it holds it). */
int ws_free_job_bay(as_cmd_t *cmd, const As__WorkJob *job);
int ws_cmd_clock_on(as_cmd_t *cmd); /* clocking.c */
int ws_cmd_clock_off(as_cmd_t *cmd);
int ws_cmd_qc_inspect(as_cmd_t *cmd);    /* qc.c */
int ws_cmd_defect_report(as_cmd_t *cmd); /* defects.c */
int ws_cmd_board(as_cmd_t *cmd);         /* board.c */
int ws_cmd_ro_show(as_cmd_t *cmd);
/* qc_stats.c: workshop.qc.stats, the QC inspections of a period (from..to). */
int ws_cmd_qc_stats(as_cmd_t *cmd);

/* --- event handlers --------------------------------------------------------- */
int ws_evt_ro_consented(as_evt_t *evt);        /* jobs.c */
int ws_evt_job_added(as_evt_t *evt);           /* jobs.c */
int ws_evt_extra_work_answered(as_evt_t *evt); /* defects.c */

/* --- bulletins.c: technical bulletins ------------------------------------------
 *   bulletins      bulletin_id -> Bulletin
 *   bulletin_acks  bulletin_id \0 tech_id -> BulletinAck
 *   vehicles       vin -> Vehicle (vin, model: reception.vehicle.registered) */
int ws_cmd_bulletin_publish(as_cmd_t *cmd);
int ws_cmd_bulletin_retire(as_cmd_t *cmd);
int ws_cmd_bulletin_list(as_cmd_t *cmd);
int ws_cmd_bulletin_acknowledge(as_cmd_t *cmd);
int ws_evt_vehicle_registered(as_evt_t *evt);
/* Replaces job->bulletins with the live bulletins that apply to the job and
 * technician tech_id has not acknowledged (none when tech_id is empty). For
 * replies and events only: a job must not be put with them. 0, -ENOMEM or a
 * store code. */
int ws_job_bulletins(MDB_txn *txn, as_service_t *svc, As__WorkJob *job, const char *tech_id);

/* --- training.c: training plans, attendance, certification -------------------
 *   training  tech_id \0 course -> TrainingPlan */
int ws_cmd_training_plan(as_cmd_t *cmd);
int ws_cmd_training_attend(as_cmd_t *cmd);
int ws_cmd_training_certify(as_cmd_t *cmd); /* raises the technician's level */
int ws_cmd_training_list(as_cmd_t *cmd);

#endif
