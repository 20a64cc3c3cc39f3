/* as-parts — the parts warehouse daemon: catalogue, stock, receipts, reservations,
 * issues, backorders, consumption (README.md). */
#include "parts_service.h"

int main(int argc, char **argv)
{
    return as_service_main(&parts_service, argc, argv);
}
