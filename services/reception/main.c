/* as-reception — the reception daemon: customers, vehicles, appointments, repair orders from
 * estimate to delivery, extra-work consent, follow-up (README.md). */
#include "reception_service.h"

int main(int argc, char **argv)
{
    return as_service_main(&reception_service, argc, argv);
}
