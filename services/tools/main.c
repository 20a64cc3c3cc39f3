/* as-tools — the tool room daemon: special tools, calibration, loans, requests (README.md). */
#include "tools_service.h"

int main(int argc, char **argv)
{
    return as_service_main(&tools_service, argc, argv);
}
