/* day_data.h — what a premium dealer's workshop sells: labour operations with
 * their flat-rate times and parts, the parts catalogue, the people. Figures are
 * typical of a mid-size dealer (labour rate 600 a flat-rate hour). */
#ifndef ASDAY_DATA_H
#define ASDAY_DATA_H

#include <stdint.h>

#define LABOUR_RATE_CENTS 60000

/* issue 15: the month's targets and expenses the service manager keys into kpi */
#define DAY_TECH_SOLD_HOURS_TARGET 160        /* the first technician's own, a month */
#define DAY_PRODUCT_SALES_TARGET_CENTS 500000 /* each advisor's product sales, a month */
#define DAY_CONSUMABLES_CENTS 350000          /* the month's consumables */
#define DAY_UTILITIES_CENTS 120000            /* and power and water */
#define DAY_ADVISOR_OWN_TARGET_CENTS 280000   /* the second advisor's own product sales */
#define DAY_ROSTER_BACK_DAYS 7                /* kpi plans a roster at most this far back */
#define DAY_INSURED 3           /* the first vehicles: their insurance ends on the day */
#define DAY_BIRTHDAY_CUSTOMER 6 /* C00007 was born on the day's month and day */

typedef struct {
    const char *part_number;
    const char *description;
    int64_t cost_cents;
    int64_t price_cents;
    const char *bin;
    unsigned stock;    /* received in the morning delivery */
    const char *group; /* the part group of the stock figures (kpi --by group) */
} day_part_t;

static const day_part_t day_parts[] = {
    {"15208-65F0E", "oil filter", 3500, 6800, "A-01-01", 40, "filters"},
    {"KE900-99932", "engine oil 0W-20 1 l", 4500, 8800, "A-01-02", 200, "engine"},
    {"01125-E8001", "drain plug washer", 300, 800, "A-01-03", 100, "engine"},
    {"AY120-NS018", "air filter", 6000, 12000, "A-02-01", 20, "filters"},
    {"27277-1CA0A", "cabin filter", 5500, 11000, "A-02-02", 20, "filters"},
    {"KLE52-00004", "CVT fluid NS-3 4 l", 32000, 56000, "A-03-01", 12, "engine"},
    {"D1060-1CA0A", "front brake pads", 42000, 78000, "B-01-01", 10, "brakes"},
    {"40206-1CA0B", "front brake disc", 65000, 120000, "B-01-02", 8, "brakes"},
    {"22401-ED815", "spark plug", 6500, 12500, "C-01-01", 48, "electrical"},
    {"24410-1CA0A", "battery 70 Ah", 68000, 118000, "C-02-01", 4, "electrical"},
    {"13070-EY00A", "timing chain tensioner", 38000, 69000, "C-03-01", 0, "engine"},
    {"KLH00-00412", "A/C refrigerant R134a", 9000, 18000, "D-01-01", 10, "engine"},
    {"85022-1CA0H", "rear bumper fascia", 180000, 320000, "E-01-01", 2, "body"},
    {"62256-1CA0A", "bumper clip", 200, 600, "E-01-02", 60, "body"},
    {"28185-1CA0A", "navigation map update media", 15000, 0, "F-01-01", 10, "electrical"},
};
#define DAY_PARTS (sizeof day_parts / sizeof day_parts[0])

typedef struct {
    const char *part_number;
    unsigned quantity;
} day_part_use_t;

typedef struct {
    const char *code;
    const char *description;
    const char *concern; /* what the customer says */
    unsigned sold_minutes;
    const char *skill;
    unsigned min_level;
    day_part_use_t parts[4];
    const char *tool; /* the special tool or equipment it needs, from the tool room: named in
                       * the labour operation (special_tools), checked at dispatch, lent */
} day_op_t;

static const day_op_t day_ops[] = {
    {"MA100",
     "10,000 km service",
     "10,000 km service due",
     60,
     "maintenance",
     1,
     {{"15208-65F0E", 1}, {"KE900-99932", 5}, {"01125-E8001", 1}}},
    {"MA200",
     "40,000 km major service",
     "40,000 km service due",
     150,
     "maintenance",
     2,
     {{"15208-65F0E", 1}, {"KE900-99932", 5}, {"AY120-NS018", 1}, {"27277-1CA0A", 1}}},
    {"BR110",
     "front brake pads, replace",
     "brakes squeal when stopping",
     90,
     "chassis",
     1,
     {{"D1060-1CA0A", 1}}},
    {"BR120",
     "front brake discs and pads, replace",
     "vibration when braking",
     150,
     "chassis",
     2,
     {{"D1060-1CA0A", 1}, {"40206-1CA0B", 2}}},
    {"EL210",
     "battery, test and replace",
     "car slow to start in the morning",
     30,
     "electrical",
     1,
     {{"24410-1CA0A", 1}}},
    {"EL230", "diagnose warning light", "engine warning light on", 60, "electrical", 2, {{0}}},
    {"EN310",
     "spark plugs, replace",
     "engine misfires at idle",
     90,
     "engine",
     2,
     {{"22401-ED815", 6}}},
    {"EN350",
     "timing chain tensioner, replace",
     "rattle from the engine at start",
     240,
     "engine",
     3,
     {{"13070-EY00A", 1}}},
    {"SU410",
     "four-wheel alignment",
     "car pulls to the left",
     60,
     "chassis",
     1,
     {{0}},
     "EQ-ALIGN-01"},
    {"AC510",
     "A/C service and recharge",
     "air conditioning not cold",
     75,
     "electrical",
     1,
     {{"KLH00-00412", 1}},
     "EQ-AC-01"},
    {"BD610",
     "rear bumper, replace and paint",
     "rear bumper damaged in a car park",
     240,
     "body",
     2,
     {{"85022-1CA0H", 1}, {"62256-1CA0A", 6}}},
    {"TR710",
     "CVT fluid, change",
     "gearbox judders when pulling away",
     90,
     "engine",
     2,
     {{"KLE52-00004", 2}}},
    {"NV810",
     "navigation software update",
     "navigation map out of date",
     45,
     "electrical",
     2,
     {{"28185-1CA0A", 1}}},
};
#define DAY_OPS (sizeof day_ops / sizeof day_ops[0])

/* Each technician's skills: index i gets day_skills[i % 4]. */
static const char *const day_skills[][3] = {
    {"maintenance", "chassis", "electrical"},
    {"engine", "maintenance", "electrical"},
    {"electrical", "engine", "maintenance"},
    {"body", "chassis", "maintenance"},
};

static const char *const day_customer_names[] = {
    "Wang Fang",  "Li Na",    "Zhang Wei", "Liu Yang",  "Chen Jing", "Yang Min",  "Zhao Lei",
    "Huang Yan",  "Zhou Jie", "Wu Qiang",  "Xu Li",     "Sun Hao",   "Ma Lin",    "Zhu Xiaoyan",
    "Hu Jun",     "Guo Ting", "He Peng",   "Gao Yu",    "Lin Tao",   "Luo Hui",   "Zheng Bo",
    "Liang Qian", "Song Jia", "Xie Ming",  "Tang Lei",  "Han Xue",   "Feng Chao", "Deng Yi",
    "Cao Rui",    "Peng Fei", "Zeng Lan",  "Xiao Dong", "Tian Ye",   "Dong Hua",  "Pan Xin",
    "Yuan Kai",   "Cai Wen",  "Jiang Tao", "Yu Mei",    "Du Qing",
};
#define DAY_CUSTOMERS (sizeof day_customer_names / sizeof day_customer_names[0])

typedef struct {
    const char *tool_id;
    const char *kind;
    const char *description;
    unsigned calibration_days; /* 0: none */
    int calibrated_days_ago;
} day_tool_t;

static const day_tool_t day_tools[] = {
    {"ST-EN-TCH", "special_tool", "timing chain tensioner holder", 0, 0},
    {"EQ-AC-01", "equipment", "A/C service station", 365, 100},
    {"EQ-ALIGN-01", "equipment", "four-wheel alignment rig", 180, 30},
    {"EQ-TW-02", "equipment", "torque wrench 40-200 Nm", 90, 20},
    {"DOC-Q50-WM", "document", "Q50 workshop manual", 0, 0},
};
#define DAY_TOOLS (sizeof day_tools / sizeof day_tools[0])

#endif
