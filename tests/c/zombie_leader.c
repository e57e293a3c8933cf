/* SPDX-License-Identifier: MIT OR Apache-2.0 */
/* A process whose thread-group leader has exited while another thread runs: /proc shows it as a
 * zombie (State: Z) with Threads: 2, yet it is alive. Used by tests/hardening.rs. */
#include <pthread.h>
#include <unistd.h>

static void *run(void *arg) {
    (void)arg;
    sleep(600);
    return NULL;
}

int main(void) {
    pthread_t thread;
    if (pthread_create(&thread, NULL, run, NULL) != 0)
        return 1;
    pthread_exit(NULL);
}
