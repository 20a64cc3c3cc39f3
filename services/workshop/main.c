/* as-workshop — the workshop daemon: technicians, bays, shifts, dispatch, clocking,
 * extra defects and QC (README.md). */
#include "workshop_service.h"

int main(int argc, char **argv)
{
    return as_service_main(&workshop_service, argc, argv);
}
