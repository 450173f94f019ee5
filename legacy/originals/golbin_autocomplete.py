"""Port of golbin's ``10 - RNN/02 - Autocomplete.py`` (golbin/TensorFlow-Tutorials):
complete a four-letter word from its first three letters. Two
``BasicLSTMCell(128)`` in a ``MultiRNNCell``, the first wrapped in
``DropoutWrapper(output_keep_prob=keep_prob)`` (0.5 in training, 1 when
predicting), ``dynamic_rnn``; the last output -> W [128, 26] + b (N(0, 1));
sparse softmax cross-entropy; Adam 0.01; 30 full-batch epochs.

Library: ``python scripts/autocomplete.py`` (cells written out in legacy/chapters/rnn.py).
Run: ``python -m legacy.originals.golbin_autocomplete`` (TF 1.15 lane).
Lines marked ``# port:`` are the only additions (legacy/originals/port.py):
op seeds (W, b, and both cells' kernels through the variable scope's
initializer), ``--epochs``, ``--nodropout``, output.
"""
# 자연어 처리나 음성 처리 분야에 많이 사용되는 RNN 의 기본적인 사용법을 익힙니다.
# 4개의 글자를 가진 단어를 학습시켜, 3글자만 주어지면 나머지 한 글자를 추천하여 단어를 완성하는 프로그램입니다.
from legacy.tf import tf  # port: tf.compat.v1 on TF 1.15
import numpy as np

from legacy.originals import port  # port: seed, limits, output


def train(a):  # port: the script's body as a function of port.args
    tf.reset_default_graph()  # port: a fresh graph per run
    tf.set_random_seed(a.seed)  # port: seed
    tf.get_variable_scope().set_initializer(port.GlorotSeeds(1, 2))  # port: op seeds of the two cells' kernels
    rec = port.Recorder("golbin/TensorFlow-Tutorials 10 - RNN/02 - Autocomplete.py", a)  # port: output

    char_arr = ['a', 'b', 'c', 'd', 'e', 'f', 'g',
                'h', 'i', 'j', 'k', 'l', 'm', 'n',
                'o', 'p', 'q', 'r', 's', 't', 'u',
                'v', 'w', 'x', 'y', 'z']

    # one-hot 인코딩 사용 및 디코딩을 하기 위해 연관 배열을 만듭니다.
    # {'a': 0, 'b': 1, 'c': 2, ..., 'j': 9, 'k', 10, ...}
    num_dic = {n: i for i, n in enumerate(char_arr)}
    dic_len = len(num_dic)

    # 다음 배열은 입력값과 출력값으로 다음처럼 사용할 것 입니다.
    # wor -> X, d -> Y
    # woo -> X, d -> Y
    seq_data = ['word', 'wood', 'deep', 'dive', 'cold', 'cool', 'load', 'love', 'kiss', 'kind']

    def make_batch(seq_data):
        input_batch = []
        target_batch = []

        for seq in seq_data:
            # 여기서 생성하는 input_batch 와 target_batch 는
            # 알파벳 배열의 인덱스 번호 입니다.
            # [22, 14, 17] [22, 14, 14] [3, 4, 4] [3, 8, 21] ...
            input = [num_dic[n] for n in seq[:-1]]
            # 3, 3, 15, 4, 3 ...
            target = num_dic[seq[-1]]
            # one-hot 인코딩을 합니다.
            # if input is [0, 1, 2]:
            # [[ 1.  0.  0.  0.  0.  0.  0.  0.  0.  0.]
            #  [ 0.  1.  0.  0.  0.  0.  0.  0.  0.  0.]
            #  [ 0.  0.  1.  0.  0.  0.  0.  0.  0.  0.]]
            input_batch.append(np.eye(dic_len)[input])
            # 지금까지 손실함수로 사용하던 softmax_cross_entropy_with_logits 함수는
            # label 값을 one-hot 인코딩으로 넘겨줘야 하지만,
            # 이 예제에서 사용할 손실 함수인 sparse_softmax_cross_entropy_with_logits 는
            # one-hot 인코딩을 사용하지 않으므로 index 를 그냥 넘겨주면 됩니다.
            target_batch.append(target)

        return input_batch, target_batch

    #########
    # 옵션 설정
    ######
    learning_rate = 0.01
    n_hidden = 128
    total_epoch = port.limit(a.epochs, 30)  # port: --epochs
    # 타입 스텝: [1 2 3] => 3
    # RNN 을 구성하는 시퀀스의 갯수입니다.
    n_step = 3
    # 입력값 크기. 알파벳에 대한 one-hot 인코딩이므로 26개가 됩니다.
    # 예) c => [0 0 1 0 0 0 0 0 0 0 0 ... 0]
    # 출력값도 입력값과 마찬가지로 26개의 알파벳으로 분류합니다.
    n_input = n_class = dic_len

    #########
    # 신경망 모델 구성
    ######
    X = tf.placeholder(tf.float32, [None, n_step, n_input])
    # 비용함수에 sparse_softmax_cross_entropy_with_logits 을 사용하므로
    # 출력값과의 계산을 위한 원본값의 형태는 one-hot vector가 아니라 인덱스 숫자를 그대로 사용하기 때문에
    # 다음처럼 하나의 값만 있는 1차원 배열을 입력값으로 받습니다.
    # [3] [3] [15] [4] ...
    # 기존처럼 one-hot 인코딩을 사용한다면 입력값의 형태는 [None, n_class] 여야합니다.
    Y = tf.placeholder(tf.int32, [None])

    # dropout prob for RNN
    keep_prob = tf.placeholder(tf.float32, [])

    W = tf.Variable(tf.random_normal([n_hidden, n_class], seed=3))  # port: op seed
    b = tf.Variable(tf.random_normal([n_class], seed=4))  # port: op seed

    # RNN 셀을 생성합니다.
    cell1 = tf.nn.rnn_cell.BasicLSTMCell(n_hidden)
    # 과적합 방지를 위한 Dropout 기법을 사용합니다.
    cell1 = tf.nn.rnn_cell.DropoutWrapper(cell1, output_keep_prob=keep_prob)
    # 여러개의 셀을 조합해서 사용하기 위해 셀을 추가로 생성합니다.
    cell2 = tf.nn.rnn_cell.BasicLSTMCell(n_hidden)

    # 여러개의 셀을 조합한 RNN 셀을 생성합니다.
    multi_cell = tf.nn.rnn_cell.MultiRNNCell([cell1, cell2])

    # tf.nn.dynamic_rnn 함수를 이용해 순환 신경망을 만듭니다.
    # time_major=True
    outputs, states = tf.nn.dynamic_rnn(multi_cell, X, dtype=tf.float32)

    # 최종 결과는 one-hot 인코딩 형식으로 만듭니다
    outputs = tf.transpose(outputs, [1, 0, 2])
    outputs = outputs[-1]
    model = tf.matmul(outputs, W) + b

    cost = tf.reduce_mean(
                tf.nn.sparse_softmax_cross_entropy_with_logits(
                    logits=model, labels=Y))

    optimizer = tf.train.AdamOptimizer(learning_rate).minimize(cost)

    #########
    # 신경망 모델 학습
    ######
    sess = tf.Session()
    sess.run(tf.global_variables_initializer())

    input_batch, target_batch = make_batch(seq_data)

    for epoch in range(total_epoch):
        _, loss = sess.run([optimizer, cost],
                           feed_dict={X: input_batch,
                                      Y: target_batch,
                                      keep_prob: port.dropout_keep(a, 0.5)})  # port: --nodropout

        print('Epoch:', '%04d' % (epoch + 1),
              'cost =', '{:.6f}'.format(loss))
        rec.step(loss)  # port: output

    print('최적화 완료!')

    #########
    # 결과 확인
    ######
    # 레이블값이 정수이므로 예측값도 정수로 변경해줍니다.
    prediction = tf.cast(tf.argmax(model, 1), tf.int32)
    # one-hot 인코딩이 아니므로 입력값을 그대로 비교합니다.
    prediction_check = tf.equal(prediction, Y)
    accuracy = tf.reduce_mean(tf.cast(prediction_check, tf.float32))

    input_batch, target_batch = make_batch(seq_data)

    predict, accuracy_val = sess.run([prediction, accuracy],
                                     feed_dict={X: input_batch,
                                                Y: target_batch,
                                                keep_prob: 1})

    predict_words = []
    for idx, val in enumerate(seq_data):
        last_char = char_arr[predict[idx]]
        predict_words.append(val[:3] + last_char)

    print('\n=== 예측 결과 ===')
    print('입력값:', [w[:3] + ' ' for w in seq_data])
    print('예측값:', predict_words)
    print('정확도:', accuracy_val)
    rec.set(predicted=predict_words, accuracy=float(accuracy_val))  # port: output
    rec.weights(sess.run(tf.trainable_variables()))  # port: output
    return rec.finish()  # port: output


if __name__ == "__main__":
    port.run(train)  # port: flags
