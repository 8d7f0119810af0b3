# The whole treatment again, with needled built against libgpiod 2.x.
set -- /usr/bin/needled-gpiod2
. /tests/treatment.sh
