/* as-reception — the reception daemon: customers, vehicles, appointments,
 * repair orders from estimate to delivery, extra-work consent, follow-up. */
#include "reception.h"

int main(int argc, char **argv)
{
    return as_service_main(&reception_def, argc, argv);
}
