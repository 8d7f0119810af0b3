// A motor stand-in for the gpio-sim guest: it reads the motor-enable line and the PWM duty that
// needled writes, turns an imaginary shaft at the rate that duty means (a first-order DC motor:
// friction, then speed proportional to duty, reached with the rotor's time constant), and drives
// the speed sensor's line(s) through gpio-sim's `pull` at that rate. A closed loop through the
// kernel: needled reads the edges the kernel stamped.
//
//   motor-standin SIM_SYSFS PWM_DIR ENABLE A B COUNTS FULL_DUTY_HZ STATUS_FILE CPU
//     B = -1 for a tachometer (one line, COUNTS edges a revolution); CPU: the one it runs on.
//   motor-standin --max-rate SIM_SYSFS A SECONDS     pulls a second the guest can make, then exit
//
// Signals: SIGUSR1 toggles a runaway (a driver stuck on: 2x the commanded rate, enable or not);
// SIGUSR2 makes the next quadrature edge skip a state (both lines change at once).
// STATUS_FILE gets "generated_millihertz edges worst_late_microseconds" ten times a second: the
// rate of the edges actually made (their count over their times, the last half second), and how
// much later than its instant the latest edge of the last status period was made, at worst.
//
// Timing is what a shaft has and a program must earn: each edge is made at its computed instant
// (clock_nanosleep to an absolute time, SCHED_FIFO on a CPU of its own), one edge a wake-up and
// never two closer than MINIMUM_GAP. gpio-sim raises each pull's interrupt through irq_work, and
// two changes of one line before its interrupt thread runs are one event: a stand-in that caught
// up in a burst would lose edges no real sensor loses.
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MINIMUM_GAP_NS 400000L      // 0.4 ms between two edges, at least
#define MODEL_STEP_NS 1000000L      // the model follows enable and duty at least every 1 ms
#define RING 1024                   // edge times kept for the generated rate

static volatile sig_atomic_t runaway = 0;
static volatile sig_atomic_t skip_state = 0;
static void on_usr1(int sig) { (void)sig; runaway = !runaway; }
static void on_usr2(int sig) { (void)sig; skip_state = 1; }

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void sleep_until(long long ns) {
    struct timespec t = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) != 0) {}
}

static int open_line(const char *sysfs, int offset, const char *attribute, int flags) {
    char path[512];
    snprintf(path, sizeof path, "%s/sim_gpio%d/%s", sysfs, offset, attribute);
    int fd = open(path, flags);
    if (fd < 0) { perror(path); exit(2); }
    return fd;
}

// The first line of a file as a number (the PWM files are plain files in the guest: a shorter
// value written over a longer one leaves its tail after the newline).
static long read_number(int fd) {
    char buffer[64];
    ssize_t n = pread(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0) return 0;
    buffer[n] = 0;
    return strtol(buffer, NULL, 10);
}

static void set_pull(int fd, int up) {
    const char *value = up ? "pull-up" : "pull-down";
    if (pwrite(fd, value, strlen(value), 0) < 0) { perror("pull"); exit(3); }
}

static int max_rate(const char *sysfs, int a, double seconds) {
    int pull = open_line(sysfs, a, "pull", O_WRONLY);
    long edges = 0;
    long long start = now_ns(), span = (long long)(seconds * 1e9);
    while (now_ns() - start < span) {
        set_pull(pull, (int)(edges % 2 == 0));
        edges++;
    }
    printf("%.0f\n", (double)edges * 1e9 / (double)(now_ns() - start));
    return 0;
}

// The interrupt threads above needled's loop (SCHED_FIFO 80), as a real board is tuned
// (chrt -f -p 90 on each), and on the stand-in's own CPU, above the stand-in: each edge's
// interrupt thread runs before the stand-in can make the next edge. A real shaft does not wait
// for the kernel, but a real CPU is not paused for milliseconds either, as TCG pauses a vCPU
// when the host is busy; two edges of one line in one interrupt are one event, and the second
// is lost. Every irq/ thread of the guest, once needled has requested its lines.
static void raise_interrupt_threads(int cpu) {
    DIR *proc = opendir("/proc");
    if (!proc) { perror("/proc"); return; }
    struct dirent *entry;
    while ((entry = readdir(proc)) != NULL) {
        int pid = atoi(entry->d_name);
        if (pid <= 0) continue;
        char path[64], comm[32] = {0};
        snprintf(path, sizeof path, "/proc/%d/comm", pid);
        int fd = open(path, O_RDONLY);
        if (fd < 0) continue;
        ssize_t n = read(fd, comm, sizeof comm - 1);
        close(fd);
        if (n < 4 || strncmp(comm, "irq/", 4) != 0) continue;
        struct sched_param parameter = { .sched_priority = 90 };
        if (sched_setscheduler(pid, SCHED_FIFO, &parameter) != 0) perror("sched_setscheduler irq thread");
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        if (sched_setaffinity(pid, sizeof set, &set) != 0) perror("sched_setaffinity irq thread");
    }
    closedir(proc);
}

static void take_a_cpu(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) perror("sched_setaffinity");
    struct sched_param parameter = { .sched_priority = 70 };
    if (sched_setscheduler(0, SCHED_FIFO, &parameter) != 0) perror("sched_setscheduler");
    if (mlockall(MCL_CURRENT | MCL_FUTURE) != 0) perror("mlockall");
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "--max-rate") == 0) return max_rate(argv[2], atoi(argv[3]), atof(argv[4]));
    if (argc != 10) {
        fprintf(stderr, "usage: motor-standin SIM_SYSFS PWM_DIR ENABLE A B COUNTS FULL_DUTY_HZ STATUS_FILE CPU\n");
        return 1;
    }
    const char *sysfs = argv[1];
    char path[512];
    int enable = open_line(sysfs, atoi(argv[3]), "value", O_RDONLY);
    int pull_a = open_line(sysfs, atoi(argv[4]), "pull", O_WRONLY);
    int b = atoi(argv[5]);
    int pull_b = b >= 0 ? open_line(sysfs, b, "pull", O_WRONLY) : -1;
    double counts = atof(argv[6]);
    double full_duty_hertz = atof(argv[7]);
    snprintf(path, sizeof path, "%s/duty_cycle", argv[2]);
    int duty = open(path, O_RDONLY);
    snprintf(path, sizeof path, "%s/period", argv[2]);
    int period = open(path, O_RDONLY);
    const char *status_path = argv[8];
    char status_temporary[512];
    snprintf(status_temporary, sizeof status_temporary, "%s.new", status_path);
    if (duty < 0 || period < 0) { perror("pwm files"); return 2; }
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    raise_interrupt_threads(atoi(argv[9]));
    take_a_cpu(atoi(argv[9]));
    set_pull(pull_a, 0);
    if (pull_b >= 0) set_pull(pull_b, 0);

    static long long edge_times[RING];
    double speed = 0;           // revolutions a second, now
    double position = 0;        // counts since the last edge
    long edges = 0;             // edges made
    int phase = 0;              // quadrature: 0 (A=0,B=0) 1 (1,0) 2 (1,1) 3 (0,1)
    long long last = now_ns(), last_status = last, last_edge = 0, worst_late = 0;
    long long due = 0;          // the instant the pending edge was due; 0: none pending
    for (;;) {
        long long t = now_ns();
        double dt = (double)(t - last) / 1e9;
        last = t;
        char level = '0';
        if (pread(enable, &level, 1, 0) != 1) level = '0';
        long period_ns = read_number(period);
        long duty_ns = read_number(duty);
        // A DC motor's steady speed is proportional to its duty past what friction takes (1 %),
        // reached with the rotor's mechanical time constant (30 ms): the plant needled's
        // feed-forward assumes (166 strokes/s at full duty, 0.18 duty per 1000 Hz/s of ramp).
        double fraction = period_ns > 0 ? (double)duty_ns / (double)period_ns : 0;
        double commanded = level == '1' && fraction > 0.01 ? (fraction - 0.01) * full_duty_hertz : 0;
        if (runaway) commanded = 2.0 * (commanded > 0 ? commanded : full_duty_hertz * 0.5);
        speed += (commanded - speed) * (dt / 0.03 < 1 ? dt / 0.03 : 1);
        if (commanded == 0 && speed < 0.5) speed = 0;  // friction holds a slow, unpowered shaft
        position += speed * counts * dt;
        if (position >= 1 && due == 0) {
            // The instant the count crossed one, at this speed: how late this wake-up makes it.
            due = t - (long long)((position - 1) / (speed * counts) * 1e9);
        }
        if (position >= 1 && t - last_edge >= MINIMUM_GAP_NS) {
            position -= 1;
            if (pull_b < 0) {
                set_pull(pull_a, (int)(edges % 2 == 0));
            } else if (skip_state) {  // two lines at once: a transition no quadrature sensor makes
                skip_state = 0;
                phase = (phase + 2) % 4;
                set_pull(pull_a, phase == 1 || phase == 2);
                set_pull(pull_b, phase >= 2);
            } else {
                phase = (phase + 1) % 4;
                if (phase == 1) set_pull(pull_a, 1);
                if (phase == 2) set_pull(pull_b, 1);
                if (phase == 3) set_pull(pull_a, 0);
                if (phase == 0) set_pull(pull_b, 0);
            }
            last_edge = now_ns();
            if (last_edge - due > worst_late) worst_late = last_edge - due;
            edge_times[edges % RING] = last_edge;
            edges++;
            due = 0;
        }
        if (t - last_status >= 100000000LL) {
            // The rate of the edges made: from the newest edge back over at least half a second.
            double millihertz = 0;
            if (edges >= 2 && t - last_edge < 500000000LL) {
                long back = 1;
                while (back < edges - 1 && back < RING - 1
                       && last_edge - edge_times[(edges - 1 - back) % RING] < 500000000LL) back++;
                long long span = last_edge - edge_times[(edges - 1 - back) % RING];
                if (span > 0) millihertz = (double)back / counts / ((double)span / 1e9) * 1000.0;
            }
            char line[96];
            int n = snprintf(line, sizeof line, "%ld %ld %lld\n", (long)millihertz, edges, worst_late / 1000);
            // Whole or not at all: a reader never sees the file half written.
            int status = open(status_temporary, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (status < 0 || write(status, line, (size_t)n) != n || close(status) != 0
                || rename(status_temporary, status_path) != 0) perror("status");
            last_status = t;
            worst_late = 0;
        }
        // Sleep to the next edge's instant at this speed, or one model step, whichever is sooner.
        long long next = t + MODEL_STEP_NS;
        if (speed * counts > 0) {
            long long edge_at = t + (long long)((1 - position) / (speed * counts) * 1e9);
            if (position >= 1) edge_at = last_edge + MINIMUM_GAP_NS;
            if (edge_at < next) next = edge_at;
        }
        sleep_until(next);
    }
}
