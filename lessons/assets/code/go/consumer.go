// A queue consumer that drains on SIGTERM (lesson 12), in Go: cancelling ctx stops fetching, the messages
// in hand are finished, each acknowledged only once done, then the client is closed. The broker client is
// an interface here (Kafka, RabbitMQ, SQS clients all have these three calls in some form).
// Usage: consumer (consumes a queue that is always empty until SIGTERM).
package main

import (
	"context"
	"fmt"
	"os/signal"
	"sync"
	"syscall"
)

type Message interface{ Ack() error }

type Queue interface {
	Fetch(ctx context.Context) (Message, error)
	Close() error
}

type Worker struct {
	queue  Queue
	handle func(Message)
}

// [run]
func (w *Worker) Run(ctx context.Context) error {
	var inFlight sync.WaitGroup
	for ctx.Err() == nil { // SIGTERM cancels ctx: stop fetching | zh: SIGTERM 取消 ctx：停止拉取
		msg, err := w.queue.Fetch(ctx)
		if err != nil {
			break
		}
		inFlight.Add(1)
		go func() {
			defer inFlight.Done()
			w.handle(msg)
			msg.Ack() // only once it is done | zh: 处理完才确认
		}()
	}
	inFlight.Wait() // finish what is in hand | zh: 处理完手头的消息
	return w.queue.Close()
}
// [/run]

type emptyQueue struct{}

func (emptyQueue) Fetch(ctx context.Context) (Message, error) { <-ctx.Done(); return nil, ctx.Err() }
func (emptyQueue) Close() error                               { return nil }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	w := &Worker{queue: emptyQueue{}, handle: func(Message) {}}
	fmt.Println("drained:", w.Run(ctx))
}
