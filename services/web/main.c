/* as-web — the gateway for the browser pages (README.md). */
#include "web_service.h"

int main(int argc, char **argv)
{
    return as_service_main(&web_service, argc, argv);
}
