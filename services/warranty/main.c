/* as-warranty — the warranty clerk's daemon: policy, claims, replaced-part custody,
 * defect feedback, recalls (README.md). */
#include "warranty_service.h"

int main(int argc, char **argv)
{
    return as_service_main(&warranty_service, argc, argv);
}
